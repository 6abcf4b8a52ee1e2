package mailparse

import (
	"regexp"
	"strings"
)

// Fold splits a reply into what the sender wrote now, the quoted history
// below it and their signature. Only history that ends the mail is folded:
// text interleaved with quotes is the customer's answer and stays visible.
// When folding would leave nothing visible (a bare forward), nothing is
// folded. Visible, Quoted and Signature together keep every non-blank line.
func Fold(text string) Folded {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	cut := quoteStart(lines)
	body := lines[:cut]
	var sig []string
	if at := signatureStart(body); at >= 0 {
		body, sig = body[:at], body[at:]
	}
	visible := joinLines(body)
	if visible == "" {
		return Folded{Visible: strings.TrimSpace(text)}
	}
	return Folded{Visible: visible, Quoted: joinLines(lines[cut:]), Signature: joinLines(sig)}
}

func joinLines(lines []string) string {
	return strings.Trim(strings.Join(lines, "\n"), "\n \t")
}

// quoteHeaders are the lines mail clients put above quoted history, in the
// languages Parley's customers write. Each is matched against one trimmed
// line, or two joined lines when a client wrapped a long header.
var quoteHeaders = []*regexp.Regexp{
	regexp.MustCompile(`^On\s.{4,300}\swrote\s?:$`),                     // Gmail, Apple Mail, Thunderbird (en)
	regexp.MustCompile(`^Le\s.{4,300}\sa\sécrit\s?:$`),                  // fr
	regexp.MustCompile(`^Am\s.{4,300}\sschrieb.{0,80}:$`),               // de
	regexp.MustCompile(`^El\s.{4,300}\sescribió\s?:$`),                  // es
	regexp.MustCompile(`^在.{2,300}(写道|寫道)\s*[:：]$`),                     // zh: Foxmail, Apple Mail, Thunderbird
	regexp.MustCompile(`^.{0,200}于\s?\d{4}\s?年.{0,200}(写道|寫道)\s*[:：]$`), // zh: Gmail "X <x@y> 于2024年1月2日周二 10:00写道："
	regexp.MustCompile(`^.{0,200}於\s?\d{4}\s?年.{0,200}(写道|寫道)\s*[:：]$`), // zh-TW: Gmail
	regexp.MustCompile(`^\d{4}[/年-].{2,300}のメッセージ\s*[:：]$`),             // ja: Apple Mail "2024/01/02 10:00、山田 <t@x.jp>のメッセージ:"
	regexp.MustCompile(`^\d{4}年\d{1,2}月\d{1,2}日.{2,300}[>＞]\s*[:：]$`),   // ja: Gmail "2024年1月2日(火) 10:00 山田 <t@x.jp>:"
	regexp.MustCompile(`^.{1,300}(さんは書きました|が書きました)\s*[:：]$`),            // ja: Thunderbird, Becky!
	regexp.MustCompile(`^-{2,}\s*(Original Message|Forwarded message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|原始邮件|原始郵件|原始信件|転送メッセージ|元のメッセージ|オリジナルメッセージ)\s*-{2,}$`),
}

// wroteLine is a bare "X wrote:" line; it starts history only when quoted
// lines follow it, since a customer may write "my colleague wrote:" too.
var wroteLine = regexp.MustCompile(`^.{1,200}\s(wrote|a écrit|schrieb|escribió|scrisse|schreef|skrev)\s?:$`)

// outlookFrom and outlookSent are the first two lines of the header block
// Outlook puts above history ("From: …" then "Sent: …" or "Date: …").
var (
	outlookFrom = regexp.MustCompile(`^\*?(From|发件人|寄件者|差出人|Von|De|Från)\*?\s*[:：]`)
	outlookSent = regexp.MustCompile(`^\*?(Sent|Date|发送时间|發送時間|日期|送信日時|日付|Gesendet|Datum|Envoyé|Enviado|Skickat)\*?\s*[:：]`)
	underscores = regexp.MustCompile(`^_{10,}$`)
)

// quoteStart returns the index of the first line of trailing quoted
// history, or len(lines) if there is none.
func quoteStart(lines []string) int {
	lastUnquoted := lastUnquotedLine(lines)
	for i := range lines {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			continue
		}
		if n := quoteHeaderLines(lines, i); n > 0 && !interleaved(lines, i+n, lastUnquoted) {
			return i
		}
		if strings.ContainsAny(t, ":：") && outlookFrom.MatchString(t) && sentFollows(lines, i) {
			if i > 0 && underscores.MatchString(strings.TrimSpace(lines[i-1])) {
				return i - 1
			}
			return i
		}
		if strings.HasPrefix(t, ">") && i > lastUnquoted {
			return i
		}
	}
	return len(lines)
}

// quoteHeaderLines matches line i alone, or i joined with the next line
// when the next line is not a header on its own (a wrapped header). It
// returns how many lines the header takes, 0 if line i starts none.
func quoteHeaderLines(lines []string, i int) int {
	t := strings.TrimSpace(lines[i])
	if matchesHeader(t) || (endsWithColon(t) && wroteLine.MatchString(t) && nextIsQuoted(lines, i)) {
		return 1
	}
	if i+1 >= len(lines) {
		return 0
	}
	next := strings.TrimSpace(lines[i+1])
	if next == "" || !endsWithColon(next) || matchesHeader(next) || !matchesHeader(t+" "+next) {
		return 0
	}
	return 2
}

// interleaved reports whether the history starting at line i is "> "
// quoting answered in between: a quoted line, then the sender's own text.
// Such a reply is the customer's answer and must stay visible.
func interleaved(lines []string, i, lastUnquoted int) bool {
	for j := i; j < len(lines); j++ {
		if t := strings.TrimSpace(lines[j]); t != "" {
			return strings.HasPrefix(t, ">") && j < lastUnquoted
		}
	}
	return false
}

func matchesHeader(s string) bool {
	// Every header ends with a colon or is a "-----…-----" separator: a
	// cheap test that spares most lines the regular expressions.
	if len(s) > 600 || !(endsWithColon(s) || strings.HasPrefix(s, "--")) {
		return false
	}
	for _, re := range quoteHeaders {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func endsWithColon(s string) bool {
	return strings.HasSuffix(s, ":") || strings.HasSuffix(s, "：")
}

// nextIsQuoted reports whether the next non-blank line after i is quoted.
func nextIsQuoted(lines []string, i int) bool {
	for _, l := range lines[i+1 : min(len(lines), i+50)] {
		if t := strings.TrimSpace(l); t != "" {
			return strings.HasPrefix(t, ">")
		}
	}
	return false
}

// sentFollows reports whether a Sent/Date line comes within the few lines
// after an Outlook "From:" line.
func sentFollows(lines []string, i int) bool {
	for j := i + 1; j < len(lines) && j <= i+4; j++ {
		if outlookSent.MatchString(strings.TrimSpace(lines[j])) {
			return true
		}
	}
	return false
}

// lastUnquotedLine is the index of the last non-blank line that is not
// "> " quoted (-1 if none): quoting after it ends the mail rather than
// being answered.
func lastUnquotedLine(lines []string) int {
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); t != "" && !strings.HasPrefix(t, ">") {
			return i
		}
	}
	return -1
}

// mobileSignature matches the one-line signatures phones and apps add.
var mobileSignature = regexp.MustCompile(`^(Sent from my \S.{0,40}|Sent from Mail for Windows.{0,20}|Get Outlook for \S.{0,30}|从我的\S{1,20}发送|發自我的\S{1,20}|\S{1,20}から送信)$`)

// signatureStart returns the index of the signature delimiter ("-- ", or
// "--" from clients that strip trailing spaces) or of a phone's "Sent from"
// line ending the body; -1 if there is none.
func signatureStart(body []string) int {
	for i := len(body) - 1; i >= 0; i-- {
		if l := strings.TrimRight(body[i], "\r"); l == "-- " || l == "--" {
			return i
		}
	}
	last := len(body) - 1
	for last >= 0 && strings.TrimSpace(body[last]) == "" {
		last--
	}
	if last >= 0 && mobileSignature.MatchString(strings.TrimSpace(body[last])) {
		return last
	}
	return -1
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676).
func unflow(text string, params map[string]string) string {
	if !strings.EqualFold(params["format"], "flowed") {
		return text
	}
	delsp := strings.EqualFold(params["delsp"], "yes")
	var out []string
	var cur strings.Builder
	depth, open := 0, false
	emit := func() {
		prefix := ""
		if depth > 0 {
			prefix = strings.Repeat(">", depth) + " "
		}
		out = append(out, prefix+cur.String())
		cur.Reset()
		open = false
	}
	for _, line := range strings.Split(text, "\n") {
		d := len(line) - len(strings.TrimLeft(line, ">"))
		content := strings.TrimPrefix(line[d:], " ")
		if open && d != depth {
			emit()
		}
		depth = d
		soft := strings.HasSuffix(content, " ") && content != "-- "
		if soft && delsp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		if soft {
			open = true
			continue
		}
		emit()
	}
	if open {
		emit()
	}
	return strings.Join(out, "\n")
}
