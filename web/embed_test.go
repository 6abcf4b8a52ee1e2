package web

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// agentJSBudget is the most JavaScript, gzipped, the agent app may ship.
const agentJSBudget = 250 << 10

func TestAgentAppIsEmbedded(t *testing.T) {
	index, err := fs.ReadFile(Agent, "index.html")
	if err != nil {
		t.Fatalf("index.html is not embedded: %v (run npm run build in web/)", err)
	}
	t.Run("index references only embedded assets", func(t *testing.T) {
		refs := regexp.MustCompile(`(?:src|href)="/(assets/[^"]+)"`).FindAllStringSubmatch(string(index), -1)
		if len(refs) < 2 {
			t.Fatalf("index.html references %d assets, want the script and the stylesheet", len(refs))
		}
		for _, r := range refs {
			if _, err := fs.Stat(Agent, r[1]); err != nil {
				t.Errorf("index.html references %s, which is not embedded: %v", r[1], err)
			}
		}
	})
	t.Run("JavaScript fits the budget", func(t *testing.T) {
		total := 0
		err := fs.WalkDir(Agent, "assets", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".js") {
				return err
			}
			b, err := fs.ReadFile(Agent, path)
			if err != nil {
				return err
			}
			total += gzipSize(t, b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("agent JavaScript: %.1f KB gzipped", float64(total)/1024)
		if total == 0 || total > agentJSBudget {
			t.Fatalf("agent JavaScript is %d bytes gzipped; budget %d", total, agentJSBudget)
		}
	})
}

func gzipSize(tb testing.TB, b []byte) int {
	tb.Helper()
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := w.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Len()
}
