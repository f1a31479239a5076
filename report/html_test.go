package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/gitdrift/driftctl/drift"
)

// parseHTML parses a page as a browser does.
func parseHTML(t *testing.T, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parsing the HTML report: %v", err)
	}
	return doc
}

// findAll returns the elements under n for which match is true.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func byAtom(a atom.Atom) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.DataAtom == a }
}

func withClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		v, _ := attr(n, "class")
		return strings.Contains(" "+v+" ", " "+class+" ")
	}
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func TestHTMLGolden(t *testing.T) {
	t.Parallel()
	golden(t, "report.html.golden", []byte(renderString(t, FormatHTML, githubReport(), Options{})))
}

// The page is one file: one resource row per result, the summary's counts,
// and nothing fetched from elsewhere.
func TestHTMLDOM(t *testing.T) {
	t.Parallel()
	r := githubReport()
	doc := parseHTML(t, renderString(t, FormatHTML, r, Options{}))
	rows := findAll(doc, withClass("result"))
	if len(rows) != len(r.Results) {
		t.Fatalf("%d result rows, want %d", len(rows), len(r.Results))
	}
	perStatus := map[string]int{}
	for _, row := range rows {
		s, _ := attr(row, "data-status")
		perStatus[s]++
	}
	for _, st := range drift.Statuses {
		if perStatus[string(st)] != r.Count(st) {
			t.Errorf("%d rows of status %s, want %d", perStatus[string(st)], st, r.Count(st))
		}
	}
	for _, tr := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Tr && hasAttr(n, "data-status") }) {
		s, _ := attr(tr, "data-status")
		if want := itoa(r.Count(drift.Status(s))); !strings.Contains(text(tr), want) {
			t.Errorf("summary row %s: %q, want the count %s", s, text(tr), want)
		}
	}
	for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			if (a.Key == "src" || (a.Key == "href" && n.DataAtom == atom.Link)) && a.Val != "" {
				t.Errorf("<%s %s=%q>: the page loads something from elsewhere", n.Data, a.Key, a.Val)
			}
		}
	}
	if n := len(findAll(doc, byAtom(atom.Script))); n != 1 {
		t.Errorf("%d <script> elements, want the page's own one", n)
	}
	csp := findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "http-equiv"); return v == "Content-Security-Policy" })
	if len(csp) != 1 {
		t.Fatal("no Content-Security-Policy")
	}
	if v, _ := attr(csp[0], "content"); !strings.Contains(v, "default-src 'none'") || !strings.Contains(v, "'sha256-") {
		t.Errorf("Content-Security-Policy %q, want default-src 'none' and the script's hash", v)
	}
	// A diff's file:line links to the line at the commit.
	var links []string
	for _, a := range findAll(doc, byAtom(atom.A)) {
		v, _ := attr(a, "href")
		links = append(links, v)
	}
	if want := "https://github.com/acme/infra/blob/9fceb02d0ae598e95dc970b74767f19372d61af8/envs/prod/network/main.tf#L20"; !contains(links, want) {
		t.Errorf("no link %s in %v", want, links)
	}
}

func hasAttr(n *html.Node, key string) bool { _, ok := attr(n, key); return ok }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Markup in a tag value, an ID, a file name, a ref, an author or a
// commit message is text: the page has its own script only, and the text
// reads as written.
func TestHTMLEscapesHostileText(t *testing.T) {
	t.Parallel()
	page := renderString(t, FormatHTML, hostileReport(), Options{})
	doc := parseHTML(t, page)
	if n := len(findAll(doc, byAtom(atom.Script))); n != 1 {
		t.Errorf("%d <script> elements, want 1: hostile text became markup", n)
	}
	if n := len(findAll(doc, byAtom(atom.Img))); n != 0 {
		t.Errorf("%d <img> elements, want none", n)
	}
	for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has an event handler %s=%q", n.Data, a.Key, a.Val)
			}
		}
	}
	body := text(doc)
	for _, want := range []string{`<script>alert("x")</script>`, "bucket-<script>alert(4)</script>", `"><script>alert(6)</script>.tf:2`,
		"refs/tags/<script>alert(2)</script>", "Mallory <script>alert(3)</script>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page does not show %q as text", want)
		}
	}
}

// chromium is Debian's headless browser, or the test skips (fails in CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium not found: install it with apt-get install -y chromium to run the HTML report in a headless browser"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// dumpDOM opens url in headless chromium and returns the DOM after the
// page's script ran.
func dumpDOM(t *testing.T, browser, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(), "--dump-dom", url)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\n%s", url, err, stderr.String())
	}
	return stdout.String()
}

// The page filters in a real browser: the status and the text from the
// address hide the other rows, and hostile text runs no script.
func TestHTMLInBrowser(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	r := githubReport()
	r.Results = append(r.Results, hostileReport().Results...)
	if err := os.WriteFile(page, []byte(renderString(t, FormatHTML, r, Options{})), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		fragment string
		visible  func(status, text string) bool
	}{
		{"status from the fragment", "#status=drifted", func(s, _ string) bool { return s == "drifted" }},
		{"text from the query", "?q=ACME-LOGS", func(_, text string) bool { return strings.Contains(strings.ToLower(text), "acme-logs") }},
		{"both", "#status=missing&q=acme", func(s, text string) bool { return s == "missing" && strings.Contains(text, "acme") }},
		{"hostile text in the query", "#q=" + "%3Cscript%3Ealert(4)", func(_, text string) bool { return strings.Contains(text, "<script>alert(4)") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One browser at a time: each takes seconds of CPU.
			dom := parseHTML(t, dumpDOM(t, browser, "file://"+page+tt.fragment))
			body := findAll(dom, byAtom(atom.Body))
			if len(body) != 1 || !hasAttr(body[0], "data-filter") {
				t.Fatal("the page's script did not run (no data-filter on <body>)")
			}
			rows := findAll(dom, withClass("result"))
			if len(rows) != len(r.Results) {
				t.Fatalf("%d rows, want %d", len(rows), len(r.Results))
			}
			shown := 0
			for _, row := range rows {
				s, _ := attr(row, "data-status")
				want := tt.visible(s, text(row))
				if got := !hasAttr(row, "hidden"); got != want {
					t.Errorf("row %s %q visible = %v, want %v", s, strings.Join(strings.Fields(text(row)), " "), got, want)
				}
				if want {
					shown++
				}
			}
			if shown == 0 || shown == len(rows) {
				t.Errorf("the filter shows %d of %d rows: the test proves nothing", shown, len(rows))
			}
			if n := findAll(dom, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == "shown" }); len(n) != 1 || text(n[0]) != itoa(shown) {
				t.Errorf("the page says %q shown, want %d", text(n[0]), shown)
			}
			if n := len(findAll(dom, byAtom(atom.Script))); n != 1 {
				t.Errorf("%d scripts after the page ran, want 1", n)
			}
		})
	}
}
