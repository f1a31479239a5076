// Package deploy_test checks the deployment assets in deploy/: the Prometheus alert
// rules (with promtool), the Grafana dashboard and the Kubernetes manifests.
package deploy_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// metricNames are the metrics driftctl exports (see metrics/). The dashboard and the
// alert rules may use no others.
var metricNames = []string{
	"driftctl_resources",
	"driftctl_drift_info",
	"driftctl_drift_info_omitted_resources",
	"driftctl_drift_since_timestamp_seconds",
	"driftctl_drift_detected",
	"driftctl_coverage_ratio",
	"driftctl_scan_success",
	"driftctl_scan_duration_seconds",
	"driftctl_last_scan_timestamp_seconds",
	"driftctl_last_successful_scan_timestamp_seconds",
	"driftctl_scans_total",
	"driftctl_spec_info",
	"driftctl_provider_info",
	"driftctl_provider_api_calls_total",
	"driftctl_provider_api_errors_total",
	"driftctl_scan_provider_api_calls",
	"driftctl_scan_provider_api_errors",
	"driftctl_scan_plugin_calls",
	"driftctl_scan_plugin_errors",
	"driftctl_build_info",
}

// promtool returns the path of promtool, skipping the test where it is not installed
// (and failing it in CI, where it must be).
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool not found on PATH (CI=true): apt-get install prometheus")
		}
		t.Skip("promtool not found on PATH; to run this test: apt-get install prometheus")
	}
	return path
}

func TestAlertRules(t *testing.T) {
	t.Parallel()
	bin := promtool(t)
	tests := []struct {
		name string
		args []string
	}{
		{"check rules", []string{"check", "rules", "prometheus/alerts.yml"}},
		{"test rules", []string{"test", "rules", "prometheus/alerts_test.yml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command(bin, tt.args...).CombinedOutput()
			if err != nil {
				t.Fatalf("promtool %s: %v\n%s", strings.Join(tt.args, " "), err, out)
			}
		})
	}
}

// TestAlertRulesMetricNames catches a misspelt metric in a rule, which promtool cannot:
// a rule on a metric that does not exist is valid and never fires.
func TestAlertRulesMetricNames(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"prometheus/alerts.yml", "prometheus/alerts_test.yml"} {
		src := readFile(t, file)
		for _, name := range regexp.MustCompile(`driftctl_[a-z_]+`).FindAllString(src, -1) {
			if !slices.Contains(metricNames, name) {
				t.Errorf("%s: unknown metric %s", file, name)
			}
		}
	}
}

// dashboard is the part of Grafana's dashboard JSON model that the test checks.
type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name       string          `json:"name"`
			Type       string          `json:"type"`
			Query      json.RawMessage `json:"query"`
			Definition string          `json:"definition"`
			Datasource *datasource     `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID         int                      `json:"id"`
	Type       string                   `json:"type"`
	Title      string                   `json:"title"`
	Datasource *datasource              `json:"datasource"`
	GridPos    struct{ X, Y, W, H int } `json:"gridPos"`
	Targets    []struct {
		RefID      string      `json:"refId"`
		Expr       string      `json:"expr"`
		Instant    bool        `json:"instant"`
		Format     string      `json:"format"`
		Datasource *datasource `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // collapsed rows
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	var d dashboard
	if err := json.Unmarshal([]byte(readFile(t, "grafana/driftctl.json")), &d); err != nil {
		t.Fatalf("grafana/driftctl.json: %v", err)
	}
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q, title %q: both must be set", d.UID, d.Title)
	}
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d: want a current dashboard model (>= 36)", d.SchemaVersion)
	}

	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
		switch v.Name {
		case "datasource":
			var q string
			if v.Type != "datasource" || json.Unmarshal(v.Query, &q) != nil || q != "prometheus" {
				t.Errorf("variable datasource: type %q, query %s; want a prometheus datasource variable", v.Type, v.Query)
			}
		case "stack":
			if v.Type != "query" || v.Definition != "label_values(driftctl_resources, stack)" {
				t.Errorf("variable stack: type %q, definition %q; want label_values(driftctl_resources, stack)", v.Type, v.Definition)
			}
			if !strings.Contains(string(v.Query), "label_values(driftctl_resources, stack)") {
				t.Errorf("variable stack: query %s does not use label_values(driftctl_resources, stack)", v.Query)
			}
			if v.Datasource == nil || v.Datasource.UID != "${datasource}" {
				t.Errorf("variable stack: datasource %+v, want uid ${datasource}", v.Datasource)
			}
		}
	}
	for _, name := range []string{"datasource", "stack"} {
		if !vars[name] {
			t.Errorf("no %q variable", name)
		}
	}

	ids := map[int]string{}
	used := map[string]bool{}
	var driftTable bool
	var walk func(ps []panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if prev, ok := ids[p.ID]; ok {
				t.Errorf("panels %q and %q share id %d", prev, p.Title, p.ID)
			}
			ids[p.ID] = p.Title
			if p.GridPos.W <= 0 || p.GridPos.X < 0 || p.GridPos.X+p.GridPos.W > 24 {
				t.Errorf("panel %q: gridPos x=%d w=%d outside the 24 columns", p.Title, p.GridPos.X, p.GridPos.W)
			}
			if p.Type != "row" && (p.Datasource == nil || p.Datasource.UID != "${datasource}") {
				t.Errorf("panel %q: datasource %+v, want uid ${datasource}", p.Title, p.Datasource)
			}
			for _, tg := range p.Targets {
				if tg.Datasource == nil || tg.Datasource.UID != "${datasource}" {
					t.Errorf("panel %q, query %s: datasource %+v, want uid ${datasource}", p.Title, tg.RefID, tg.Datasource)
				}
				names, err := promqlMetricNames(tg.Expr)
				if err != nil {
					t.Errorf("panel %q, query %s: %v", p.Title, tg.RefID, err)
				}
				if len(names) == 0 {
					t.Errorf("panel %q, query %s: no driftctl metric in %q", p.Title, tg.RefID, tg.Expr)
				}
				for _, n := range names {
					used[n] = true
					if !slices.Contains(metricNames, n) {
						t.Errorf("panel %q, query %s: unknown metric %q in %q", p.Title, tg.RefID, n, tg.Expr)
					}
				}
				if p.Type == "table" && tg.Instant && tg.Format == "table" &&
					strings.Contains(tg.Expr, "driftctl_drift_info{") &&
					strings.Contains(tg.Expr, "driftctl_drift_since_timestamp_seconds") {
					driftTable = true
				}
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	if !driftTable {
		t.Error("no table panel with an instant, table-format query joining driftctl_drift_info and driftctl_drift_since_timestamp_seconds")
	}
	for _, want := range []string{
		"driftctl_resources", "driftctl_drift_info", "driftctl_coverage_ratio",
		"driftctl_scan_success", "driftctl_scan_duration_seconds",
		"driftctl_last_successful_scan_timestamp_seconds",
		"driftctl_provider_api_calls_total", "driftctl_provider_api_errors_total",
		"driftctl_last_scan_timestamp_seconds", "driftctl_scan_provider_api_calls",
	} {
		if !used[want] {
			t.Errorf("no panel shows %s", want)
		}
	}
	// Only serve exposes driftctl_scans_total: one-shot scans push gauges,
	// and a panel on the counter would show nothing of them.
	if used["driftctl_scans_total"] {
		t.Error("a panel uses driftctl_scans_total, which one-shot scans do not expose; count changes of driftctl_last_scan_timestamp_seconds")
	}
}

func TestPromqlMetricNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want []string
	}{
		{`sum by (stack, status) (driftctl_resources{stack=~"$stack"})`, []string{"driftctl_resources"}},
		{`time() - driftctl_last_successful_scan_timestamp_seconds > 3 * 3600`, []string{"driftctl_last_successful_scan_timestamp_seconds"}},
		{`sum by (service) (rate(driftctl_provider_api_errors_total{code!="x"}[$__rate_interval])) / on (service) group_left sum by (service) (rate(driftctl_provider_api_calls_total[5m]))`,
			[]string{"driftctl_provider_api_calls_total", "driftctl_provider_api_errors_total"}},
		{`a_b * 1e3 and on (stack) driftctl_drift_info == 1`, []string{"a_b", "driftctl_drift_info"}},
		{`{__name__="x"}`, nil},
	}
	for _, tt := range tests {
		got, err := promqlMetricNames(tt.expr)
		if err != nil {
			t.Errorf("promqlMetricNames(%q): %v", tt.expr, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("promqlMetricNames(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

var (
	promqlStrings    = regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")
	promqlBraces     = regexp.MustCompile(`\{[^{}]*\}|\[[^\[\]]*\]`)
	promqlLabelLists = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	promqlTokens     = regexp.MustCompile(`[0-9][0-9A-Za-z_.]*|\$?[A-Za-z_:][A-Za-z0-9_:]*`)
)

// promqlWords are the PromQL keywords, aggregations and functions that the dashboard
// uses or may reasonably use; any other identifier in an expression is a metric name.
var promqlWords = strings.Fields(`
	and or unless bool offset by without on ignoring group_left group_right inf nan
	sum min max avg count stddev stdvar topk bottomk quantile count_values group
	abs absent absent_over_time ceil changes clamp clamp_max clamp_min delta deriv exp floor
	histogram_quantile increase irate label_join label_replace ln log2 log10 rate resets
	round scalar sgn sort sort_desc sqrt time timestamp vector
	avg_over_time min_over_time max_over_time sum_over_time count_over_time last_over_time
	quantile_over_time stddev_over_time present_over_time`)

// promqlMetricNames returns the sorted, distinct metric names in a PromQL expression.
// It is a lexer, not a parser: it drops strings, label matchers, ranges and label lists,
// and reports the identifiers left that are not PromQL words.
func promqlMetricNames(expr string) ([]string, error) {
	s := promqlStrings.ReplaceAllString(expr, `""`)
	for {
		r := promqlBraces.ReplaceAllString(s, " ")
		r = promqlLabelLists.ReplaceAllString(r, " ")
		if r == s {
			break
		}
		s = r
	}
	if strings.ContainsAny(s, "{}[]") {
		return nil, &unbalancedError{expr}
	}
	seen := map[string]bool{}
	for _, tok := range promqlTokens.FindAllString(s, -1) {
		if tok[0] >= '0' && tok[0] <= '9' || tok[0] == '$' || slices.Contains(promqlWords, strings.ToLower(tok)) {
			continue
		}
		seen[tok] = true
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

type unbalancedError struct{ expr string }

func (e *unbalancedError) Error() string { return "unbalanced brackets in " + e.expr }

// manifest is one YAML document of a Kubernetes manifest file.
type manifest struct {
	file, kind, text string
}

// manifests splits the Kubernetes files into documents. There is no YAML library in
// go.mod, so this only checks what strings can: every document has apiVersion, kind and
// metadata.name at the top level, and no tab indents.
func manifests(t *testing.T, files ...string) []manifest {
	t.Helper()
	var ms []manifest
	for _, f := range files {
		src := readFile(t, f)
		if strings.Contains(src, "\t") {
			t.Errorf("%s: contains a tab; YAML indents with spaces", f)
		}
		for _, doc := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(src, -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			kind := regexp.MustCompile(`(?m)^kind: (\w+)$`).FindStringSubmatch(doc)
			if kind == nil || !regexp.MustCompile(`(?m)^apiVersion: \S+$`).MatchString(doc) ||
				!regexp.MustCompile(`(?m)^metadata:\n(  .*\n)*?  name: \S+$`).MatchString(doc) {
				t.Errorf("%s: a document without apiVersion, kind or metadata.name:\n%s", f, doc)
				continue
			}
			ms = append(ms, manifest{file: f, kind: kind[1], text: doc})
		}
	}
	return ms
}

func TestKubernetesManifests(t *testing.T) {
	t.Parallel()
	ms := manifests(t, "kubernetes/cronjob.yaml", "kubernetes/deployment.yaml")
	byKind := map[string]string{}
	for _, m := range ms {
		byKind[m.kind] += m.text
		for _, secret := range []string{"aws_secret_access_key", "aws_access_key_id", "aws_session_token"} {
			if strings.Contains(strings.ToLower(stripComments(m.text)), secret) {
				t.Errorf("%s %s: mentions %s; credentials come from IRSA", m.file, m.kind, secret)
			}
		}
		if m.kind == "Secret" {
			t.Errorf("%s: a Secret; credentials come from IRSA", m.file)
		}
	}
	tests := []struct {
		kind string
		want []string
	}{
		{"ServiceAccount", []string{"eks.amazonaws.com/role-arn: arn:aws:iam::"}},
		{"CronJob", []string{
			"- scan", "- /config/stack", "--pushgateway=http://pushgateway.monitoring:9091",
			"concurrencyPolicy: Forbid", "serviceAccountName: driftctl-scan",
			"runAsNonRoot: true", "readOnlyRootFilesystem: true", "allowPrivilegeEscalation: false",
			"resources:", "limits:", "mountPath: /config/stack",
		}},
		{"Deployment", []string{
			"- serve", "--config=/etc/driftctl/driftctl.hcl", "--data-dir=/var/lib/driftctl", "--web.listen-address=:9725",
			// Listening on every interface of the pod: TLS and basic auth.
			"--web.config.file=/etc/driftctl-web/web-config.yml", "secretName: driftctl-web-config", "mountPath: /etc/driftctl-web",
			"livenessProbe:\n            tcpSocket:", "readinessProbe:\n            tcpSocket:", "containerPort: 9725", "serviceAccountName: driftctl",
			"runAsNonRoot: true", "readOnlyRootFilesystem: true", "allowPrivilegeEscalation: false",
			"resources:", "limits:", "mountPath: /var/lib/driftctl", "claimName: driftctl-data",
			"mountPath: /etc/driftctl",
		}},
		{"Service", []string{`prometheus.io/scrape: "true"`, `prometheus.io/port: "9725"`, "prometheus.io/scheme: https", "port: 9725"}},
		{"PersistentVolumeClaim", []string{"name: driftctl-data", "ReadWriteOnce"}},
		{"ConfigMap", []string{"driftctl.hcl: |", "main.tf: |"}},
	}
	for _, tt := range tests {
		text, ok := byKind[tt.kind]
		if !ok {
			t.Errorf("no %s", tt.kind)
			continue
		}
		text = stripComments(text)
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q", tt.kind, w)
			}
		}
	}
	if strings.Contains(stripComments(byKind["CronJob"]), "--push-optional") {
		t.Error("CronJob: --push-optional would hide a failed push; the Job must fail instead")
	}
	// Go's soft memory limit is set, below the container's memory limit.
	for _, kind := range []string{"CronJob", "Deployment"} {
		text := stripComments(byKind[kind])
		soft := regexp.MustCompile(`name: GOMEMLIMIT\s+value: (\d+)MiB`).FindStringSubmatch(text)
		hard := regexp.MustCompile(`limits:\s+memory: (\d+)(Mi|Gi)`).FindStringSubmatch(text)
		if soft == nil || hard == nil {
			t.Errorf("%s: GOMEMLIMIT (in MiB) or limits.memory missing", kind)
			continue
		}
		softMiB, _ := strconv.Atoi(soft[1])
		hardMiB, _ := strconv.Atoi(hard[1])
		if hard[2] == "Gi" {
			hardMiB *= 1024
		}
		if softMiB >= hardMiB || softMiB < hardMiB*8/10 {
			t.Errorf("%s: GOMEMLIMIT %d MiB; want 80-99%% of limits.memory (%d MiB)", kind, softMiB, hardMiB)
		}
	}
}

// TestKubernetesConfigFiles parses the HCL embedded in the ConfigMaps: driftctl.hcl for
// `driftctl serve` and the example stack of the CronJob.
func TestKubernetesConfigFiles(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for _, f := range []string{"kubernetes/cronjob.yaml", "kubernetes/deployment.yaml"} {
		for name, content := range blockScalars(readFile(t, f)) {
			files[name] = content
		}
	}
	for _, name := range []string{"driftctl.hcl", "main.tf"} {
		if _, ok := files[name]; !ok {
			t.Fatalf("no ConfigMap key %s", name)
		}
	}
	p := hclparse.NewParser()
	for name, content := range files {
		if _, diags := p.ParseHCL([]byte(content), name); diags.HasErrors() {
			t.Errorf("%s: %v", name, diags)
		}
	}

	body := p.Files()["driftctl.hcl"].Body.(*hclsyntax.Body)
	var server, stacks int
	for _, b := range body.Blocks {
		switch b.Type {
		case "server":
			server++
			for attr, want := range map[string]string{"listen": ":9725", "data_dir": "/var/lib/driftctl"} {
				a, ok := b.Body.Attributes[attr]
				if !ok {
					t.Errorf("driftctl.hcl: server has no %s", attr)
					continue
				}
				v, diags := a.Expr.Value(nil)
				if diags.HasErrors() || v.AsString() != want {
					t.Errorf("driftctl.hcl: server.%s = %#v, want %q (as in the Deployment)", attr, v, want)
				}
			}
		case "stack":
			stacks++
			for _, attr := range []string{"source", "state", "schedule"} {
				if _, ok := b.Body.Attributes[attr]; !ok {
					t.Errorf("driftctl.hcl: stack %v has no %s", b.Labels, attr)
				}
			}
		}
	}
	if server != 1 || stacks == 0 {
		t.Errorf("driftctl.hcl: %d server blocks and %d stack blocks, want 1 and at least 1", server, stacks)
	}
}

// blockScalars returns the literal block scalars (`key: |`) of a YAML file by key.
func blockScalars(src string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(src, "\n")
	head := regexp.MustCompile(`^( *)([\w.-]+): \|$`)
	for i := 0; i < len(lines); i++ {
		m := head.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		var body []string
		indent := -1
		for i++; i < len(lines); i++ {
			l := lines[i]
			if strings.TrimSpace(l) == "" {
				body = append(body, "")
				continue
			}
			n := len(l) - len(strings.TrimLeft(l, " "))
			if indent < 0 {
				indent = n
			}
			if n <= len(m[1]) || n < indent {
				break
			}
			body = append(body, l[indent:])
		}
		i--
		out[m[2]] = strings.TrimRight(strings.Join(body, "\n"), "\n") + "\n"
	}
	return out
}

func stripComments(doc string) string {
	return regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(doc, "")
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
