package mailparse_test

import (
	"testing"

	"github.com/parleyhq/parley/channel/email/mailparse"
)

func TestFold(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       mailparse.Folded
	}{
		{"gmail header wrapped over two lines",
			"Yes please.\n\nOn Tue, Mar 5, 2024 at 10:00 AM John Smith <john.smith@example.com>\nwrote:\n> Shall we?",
			mailparse.Folded{Visible: "Yes please.", Quoted: "On Tue, Mar 5, 2024 at 10:00 AM John Smith <john.smith@example.com>\nwrote:\n> Shall we?"}},
		{"the line above a wrapped header stays visible",
			"谢谢\n客服 <support@example.com> 于2024年3月5日周二\n10:00写道：\n> 好的",
			mailparse.Folded{Visible: "谢谢", Quoted: "客服 <support@example.com> 于2024年3月5日周二\n10:00写道：\n> 好的"}},
		{"foxmail chinese header",
			"收到\n\n在 2024-03-05 10:00:00，\"客服\" <support@example.com> 写道：\n旧内容",
			mailparse.Folded{Visible: "收到", Quoted: "在 2024-03-05 10:00:00，\"客服\" <support@example.com> 写道：\n旧内容"}},
		{"qq mail original message separator",
			"好的\n\n------------------ 原始邮件 ------------------\n发件人: \"客服\"<support@example.com>\n发送时间: 2024年3月5日\n旧内容",
			mailparse.Folded{Visible: "好的", Quoted: "------------------ 原始邮件 ------------------\n发件人: \"客服\"<support@example.com>\n发送时间: 2024年3月5日\n旧内容"}},
		{"japanese gmail header",
			"承知しました。\n\n2024年3月5日(火) 10:00 サポート <support@example.com>:\n> よろしくお願いします。",
			mailparse.Folded{Visible: "承知しました。", Quoted: "2024年3月5日(火) 10:00 サポート <support@example.com>:\n> よろしくお願いします。"}},
		{"japanese thunderbird header",
			"了解です。\n\n山田 さんは書きました:\n> 明日どうですか",
			mailparse.Folded{Visible: "了解です。", Quoted: "山田 さんは書きました:\n> 明日どうですか"}},
		{"a customer quoting someone in prose is not history",
			"My colleague wrote:\nplease cancel the order\nCan you?",
			mailparse.Folded{Visible: "My colleague wrote:\nplease cancel the order\nCan you?"}},
		{"bare wrote line followed by quotes is history",
			"Agreed.\n\nJohn Smith wrote:\n> Let's ship it.",
			mailparse.Folded{Visible: "Agreed.", Quoted: "John Smith wrote:\n> Let's ship it."}},
		{"a reply below the quote (bottom posting) stays visible",
			"> Which size?\n\nLarge, please.",
			mailparse.Folded{Visible: "> Which size?\n\nLarge, please."}},
		{"a bare forward is not folded away entirely",
			"-----Original Message-----\nFrom: x@example.com\nSent: Monday\n\nOld text",
			mailparse.Folded{Visible: "-----Original Message-----\nFrom: x@example.com\nSent: Monday\n\nOld text"}},
		{"signature delimiter without its trailing space",
			"Thanks\n--\nMia",
			mailparse.Folded{Visible: "Thanks", Signature: "--\nMia"}},
		{"a dash line in prose is not a signature",
			"Price -- 20 EUR\nThanks",
			mailparse.Folded{Visible: "Price -- 20 EUR\nThanks"}},
		{"chinese phone signature",
			"好的\n\n从我的iPhone发送",
			mailparse.Folded{Visible: "好的", Signature: "从我的iPhone发送"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := mailparse.Fold(c.text); got != c.want {
				t.Fatalf("Fold =\n%#v\nwant\n%#v", got, c.want)
			}
		})
	}
}

func TestHTMLToText(t *testing.T) {
	for _, c := range []struct{ name, html, want string }{
		{"gmail quote becomes foldable text",
			`<div dir="ltr">Yes.</div><br><div class="gmail_quote"><div>On Mon, Jan 1, 2024 at 1:00 PM Bo &lt;bo@example.com&gt; wrote:<br></div><blockquote class="gmail_quote">Shall we?<br>Now?</blockquote></div>`,
			"Yes.\n\nOn Mon, Jan 1, 2024 at 1:00 PM Bo <bo@example.com> wrote:\n\n> Shall we?\n> Now?"},
		{"entities, tables and preformatted text",
			`<table><tr><td>Qty</td><td>2</td></tr></table><pre>a  b
  c</pre>&amp;&nbsp;&lt;ok&gt;`,
			"Qty  2\n\na  b\n  c\n\n& <ok>"},
		{"unclosed script swallows nothing after the document",
			`<p>hi</p><script>var x = "<p>no</p>";`,
			"hi"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := mailparse.HTMLToText(c.html); got != c.want {
				t.Fatalf("HTMLToText =\n%q\nwant\n%q", got, c.want)
			}
		})
	}
	t.Run("folded like plain text", func(t *testing.T) {
		got := mailparse.Fold(mailparse.HTMLToText(`<p>Yes.</p><div>On Mon, Jan 1, 2024 at 1:00 PM Bo &lt;bo@example.com&gt; wrote:</div><blockquote>Shall we?</blockquote>`))
		if got.Visible != "Yes." || got.Quoted == "" {
			t.Fatalf("Fold = %#v", got)
		}
	})
}
