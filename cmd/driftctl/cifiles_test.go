package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v2"
)

// yamlDocuments decodes every document of a YAML file.
func yamlDocuments(t *testing.T, path string) []any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, doc)
	}
}

// yamlStrings calls fn with every string value under v and its path
// (runs.steps[2].run).
func yamlStrings(v any, path string, fn func(path, s string)) {
	switch v := v.(type) {
	case string:
		fn(path, v)
	case []any:
		for i, e := range v {
			yamlStrings(e, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case map[any]any:
		for k, e := range v {
			yamlStrings(e, strings.TrimPrefix(fmt.Sprintf("%s.%v", path, k), "."), fn)
		}
	}
}

// isShell says whether the YAML value at path is a shell script: a GitHub
// step's run, a GitLab job's script, before_script or after_script.
func isShell(path string) bool {
	return strings.HasSuffix(path, ".run") || strings.Contains(path, "script[")
}

// TestCIFilesUseFlagsThatExist: the GitHub Action and the GitLab CI
// template run driftctl with flags that driftctl has, and -o formats that
// scan takes, so that they cannot drift from the CLI.
func TestCIFilesUseFlagsThatExist(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		// want are strings the driftctl lines must hold between them.
		want []string
	}{
		{"../../action.yml", []string{"-o sarif=", "-o markdown=", `--fail-on "$FAIL_ON"`}},
		{"../../deploy/gitlab/driftctl.gitlab-ci.yml", []string{"-o junit=driftctl-junit.xml", "-o markdown=driftctl.md", `--fail-on "$DRIFTCTL_FAIL_ON"`}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			t.Parallel()
			var all []string
			for _, doc := range yamlDocuments(t, tt.file) {
				yamlStrings(doc, "", func(path, s string) {
					if !isShell(path) {
						return
					}
					for _, line := range driftctlLines(s) {
						all = append(all, line)
						if err := checkCommandLine(line); err != nil {
							t.Errorf("%s: %s: %v", tt.file, path, err)
						}
					}
				})
			}
			if len(all) == 0 {
				t.Fatalf("%s runs no driftctl command", tt.file)
			}
			joined := strings.Join(all, "\n")
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("%s: no %q in its driftctl commands:\n%s", tt.file, w, joined)
				}
			}
		})
	}
}

// TestGitHubActionSteps: the action is composite, uploads the SARIF file
// the scan writes and takes the inputs the README documents.
func TestGitHubActionSteps(t *testing.T) {
	t.Parallel()
	docs := yamlDocuments(t, "../../action.yml")
	action, ok := docs[0].(map[any]any)
	if !ok || len(docs) != 1 {
		t.Fatalf("action.yml: want one mapping, got %d documents", len(docs))
	}
	inputs, _ := action["inputs"].(map[any]any)
	for _, in := range []string{"directory", "fail-on", "args"} {
		if _, ok := inputs[in]; !ok {
			t.Errorf("action.yml: no input %q", in)
		}
	}
	runs, _ := action["runs"].(map[any]any)
	if runs["using"] != "composite" {
		t.Errorf("action.yml: runs.using = %v, want composite", runs["using"])
	}
	uses := map[string]map[any]any{}
	for _, s := range runs["steps"].([]any) {
		step := s.(map[any]any)
		if u, ok := step["uses"].(string); ok {
			name, _, _ := strings.Cut(u, "@")
			with, _ := step["with"].(map[any]any)
			uses[name] = with
		}
	}
	upload, ok := uses["github/codeql-action/upload-sarif"]
	if !ok {
		t.Fatal("action.yml: no github/codeql-action/upload-sarif step")
	}
	if upload["sarif_file"] != "${{ steps.scan.outputs.sarif }}" {
		t.Errorf("action.yml: upload-sarif uploads %v, not the scan's SARIF file", upload["sarif_file"])
	}
	if _, ok := uses["actions/setup-go"]; !ok {
		t.Error("action.yml: no actions/setup-go step to build driftctl")
	}
}

// TestGitLabTemplateReports: the JUnit report the scan writes is the one
// the job reports, and the Markdown is kept.
func TestGitLabTemplateReports(t *testing.T) {
	t.Parallel()
	doc := yamlDocuments(t, "../../deploy/gitlab/driftctl.gitlab-ci.yml")[0].(map[any]any)
	job, ok := doc["driftctl"].(map[any]any)
	if !ok {
		t.Fatal("no driftctl job")
	}
	artifacts, _ := job["artifacts"].(map[any]any)
	reports, _ := artifacts["reports"].(map[any]any)
	if reports["junit"] != "driftctl-junit.xml" {
		t.Errorf("artifacts.reports.junit = %v, want driftctl-junit.xml (the scan's -o junit=)", reports["junit"])
	}
	if paths, _ := artifacts["paths"].([]any); len(paths) != 1 || paths[0] != "driftctl.md" {
		t.Errorf("artifacts.paths = %v, want [driftctl.md]", artifacts["paths"])
	}
	if artifacts["when"] != "always" {
		t.Errorf("artifacts.when = %v, want always: a job that found drift fails, and its reports are wanted most then", artifacts["when"])
	}
}

// TestKubernetesManifestsUseFlagsThatExist: the args of the driftctl
// containers in deploy/kubernetes are a driftctl command with flags it
// has.
func TestKubernetesManifestsUseFlagsThatExist(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../deploy/kubernetes/*.yaml")
	found := 0
	var containers func(v any)
	containers = func(v any) {
		switch v := v.(type) {
		case map[any]any:
			if image, ok := v["image"].(string); ok && strings.Contains(image, "/driftctl") {
				var words []string
				for _, a := range v["args"].([]any) {
					words = append(words, fmt.Sprintf("%q", a))
				}
				found++
				if err := checkCommandLine("driftctl " + strings.Join(words, " ")); err != nil {
					t.Errorf("%s: %v", v["name"], err)
				}
			}
			for _, e := range v {
				containers(e)
			}
		case []any:
			for _, e := range v {
				containers(e)
			}
		}
	}
	for _, f := range files {
		for _, doc := range yamlDocuments(t, f) {
			containers(doc)
		}
	}
	if found < 2 {
		t.Errorf("found %d driftctl containers in deploy/kubernetes; want the CronJob's and the Deployment's", found)
	}
}
