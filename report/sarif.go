package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"

	"github.com/hashicorp/hcl/v2"

	"github.com/gitdrift/driftctl/drift"
)

// SARIF writes r as a SARIF 2.1.0 log for GitHub code scanning (and any
// other SARIF reader), one run for the report's stack:
//
//   - one result per drifted attribute, at the attribute's range in the
//     configuration, or at the resource block when the configuration leaves
//     the attribute out;
//   - one result per missing or unknown resource, at its block;
//   - one result per unmanaged resource. It has no place in the
//     configuration, but GitHub shows only results with a location ("At
//     least one location is required for code scanning to display a
//     result", GitHub's "SARIF support for code scanning"), so it is
//     placed at the first block that declares a resource of its type
//     (unmanaged resources are reported for declared types only); when
//     there is none it has no location, which SARIF allows and GitHub
//     does not show.
//
// The rules are the statuses (drifted, missing, unmanaged, unknown). A
// result's level is "error" for a status in opts.FailOn, "warning" for
// other drift and "note" for unknown. Artifact URIs are relative to the
// repository root (uriBaseId %SRCROOT%; for a plain directory, to that
// directory). Each result's partialFingerprints.primaryLocationLineHash is
// derived from its rule, resource and attribute only, never from line
// numbers or values, so an alert stays one alert across runs and edits
// (GitHub reads that key of partialFingerprints only).
// Sensitive values print as (sensitive).
func SARIF(w io.Writer, r *drift.Report, opts Options) error {
	failOn := opts.failOn()
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "driftctl", Version: cmp.Or(opts.Version, "dev"), InformationURI: informationURI, Rules: sarifRules(),
		}},
		Results: []sarifResult{},
	}
	if r.Stack != "" {
		// GitHub keeps the alerts of each category apart: one per stack.
		run.AutomationDetails = &sarifAutomation{ID: "driftctl/" + r.Stack + "/"}
	}
	if c := r.Commit; c != nil && c.SHA != "" {
		if u, err := url.Parse(c.Repository); err == nil && u.IsAbs() && u.User == nil {
			run.VersionControl = []sarifVersionControl{{RepositoryURI: c.Repository, RevisionID: c.SHA, Branch: c.Ref}}
		}
	}
	// Where each type is first declared, for unmanaged resources.
	declared := map[string]*hcl.Range{}
	for i := range r.Results {
		res := &r.Results[i]
		if res.DeclRange.Filename != "" && declared[res.Type] == nil {
			declared[res.Type] = &res.DeclRange
		}
	}
	for _, res := range sortedResults(r.Results) {
		if !reported(res.Status) {
			continue
		}
		level := "warning"
		switch {
		case failOn[res.Status]:
			level = "error"
		case res.Status == drift.Unknown:
			level = "note"
		}
		props := sarifProps{Address: res.Address, Type: res.Type, ID: res.ID, Region: res.Region, Status: string(res.Status)}
		add := func(attr string, rg *hcl.Range, text string) {
			p := props
			p.Attribute = attr
			run.Results = append(run.Results, sarifResult{
				RuleID: string(res.Status), Level: level, Message: sarifMessage{Text: text},
				Locations:           sarifLocations(r.Commit, rg),
				PartialFingerprints: map[string]string{"primaryLocationLineHash": fingerprint(res, attr)},
				Properties:          p,
			})
		}
		name := resourceName(res)
		switch res.Status {
		case drift.Drifted:
			for i := range res.Diffs {
				d := &res.Diffs[i]
				want, got := diffValues(*d)
				add(d.Path, diffRange(res, d), fmt.Sprintf("%s: %s is %s in the cloud; the configuration wants %s.",
					clean(name), clean(d.Path), shorten(got, 500), shorten(want, 500)))
			}
		case drift.Missing:
			add("", diffRange(res, nil), fmt.Sprintf("%s (%s) is in the configuration but not in the cloud.", clean(name), clean(res.ID)))
		case drift.Unmanaged:
			add("", declared[res.Type], fmt.Sprintf("%s %s in %s is in the cloud but not in the configuration.", clean(res.Type), clean(res.ID), clean(res.Region)))
		case drift.Unknown:
			add("", diffRange(res, nil), fmt.Sprintf("%s could not be checked: %s", clean(name), clean(res.Reason)))
		}
	}
	log := sarifLog{Schema: sarifSchemaURI, Version: "2.1.0", Runs: []sarifRun{run}}
	enc := newJSONEncoder(w, "", "  ")
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("writing the SARIF report: %w", err)
	}
	return nil
}

// sarifSchemaURI is the schema the log names (as GitHub's own examples do).
const sarifSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// srcRoot is the uriBaseId of the repository root.
const srcRoot = "%SRCROOT%"

// fingerprint identifies a result across runs: its rule, its resource
// (address, else type and ID) and the attribute.
func fingerprint(res *drift.Result, attr string) string {
	h := sha256.Sum256([]byte(string(res.Status) + "\x00" + res.Address + "\x00" + res.Type + "\x00" + unmanagedID(res) + "\x00" + attr))
	return hex.EncodeToString(h[:16])
}

// unmanagedID is the ID that names a resource without an address.
func unmanagedID(res *drift.Result) string {
	if res.Address != "" {
		return ""
	}
	return res.ID
}

func sarifLocations(c *drift.Commit, rg *hcl.Range) []sarifLocation {
	if rg == nil || rg.Filename == "" {
		return nil
	}
	p, ok := repoPath(c, rg.Filename)
	if !ok {
		return nil
	}
	region := &sarifRegion{StartLine: max(rg.Start.Line, 1), StartColumn: max(rg.Start.Column, 1)}
	if rg.End.Line >= region.StartLine {
		region.EndLine = rg.End.Line
		if rg.End.Column > 0 && (rg.End.Line > region.StartLine || rg.End.Column > region.StartColumn) {
			region.EndColumn = rg.End.Column
		}
	}
	return []sarifLocation{{PhysicalLocation: sarifPhysical{
		ArtifactLocation: sarifArtifact{URI: escapePath(p), URIBaseID: srcRoot}, Region: region,
	}}}
}

// sarifRules are the statuses as SARIF rules, in report order.
func sarifRules() []sarifRule {
	rule := func(s drift.Status, short, full, level string) sarifRule {
		return sarifRule{
			ID: string(s), Name: statusTitles[s], ShortDescription: sarifMessage{Text: short}, FullDescription: sarifMessage{Text: full},
			Help: sarifMessage{Text: full}, HelpURI: informationURI, DefaultConfiguration: sarifRuleConfig{Level: level},
		}
	}
	return []sarifRule{
		rule(drift.Drifted, "Live attribute differs from the configuration",
			"The live resource's attribute differs from what the configuration in Git declares: someone changed it outside Terraform, or the configuration changed and was not applied. Apply the configuration, or write the live value into it.", "error"),
		rule(drift.Missing, "Declared resource not found in the cloud",
			"The configuration and the state declare this resource, but it no longer exists in the cloud: it was deleted outside Terraform. Apply the configuration to create it again, or remove it from the configuration.", "error"),
		rule(drift.Unmanaged, "Cloud resource not in the configuration",
			"A live resource of a type the configuration declares is in no configuration or state: it was created by hand or by another tool. Import it into Terraform, delete it, or list it in .driftignore.", "warning"),
		rule(drift.Unknown, "Resource could not be checked",
			"driftctl could not read this resource (an API call failed, or the type is not supported yet), so whether it drifted is unknown. The message says why.", "note"),
	}
}

// The wire form of a SARIF 2.1.0 log: the parts driftctl writes.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool              sarifTool             `json:"tool"`
		AutomationDetails *sarifAutomation      `json:"automationDetails,omitempty"`
		VersionControl    []sarifVersionControl `json:"versionControlProvenance,omitempty"`
		Results           []sarifResult         `json:"results"`
	}
	sarifAutomation struct {
		ID string `json:"id"`
	}
	sarifVersionControl struct {
		RepositoryURI string `json:"repositoryUri"`
		RevisionID    string `json:"revisionId,omitempty"`
		Branch        string `json:"branch,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string          `json:"id"`
		Name                 string          `json:"name"`
		ShortDescription     sarifMessage    `json:"shortDescription"`
		FullDescription      sarifMessage    `json:"fullDescription"`
		Help                 sarifMessage    `json:"help"`
		HelpURI              string          `json:"helpUri"`
		DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	}
	sarifRuleConfig struct {
		Level string `json:"level"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		Level               string            `json:"level"`
		Message             sarifMessage      `json:"message"`
		Locations           []sarifLocation   `json:"locations,omitempty"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          sarifProps        `json:"properties"`
	}
	sarifProps struct {
		Address   string `json:"address,omitempty"`
		Type      string `json:"type"`
		ID        string `json:"id,omitempty"`
		Region    string `json:"region,omitempty"`
		Status    string `json:"status"`
		Attribute string `json:"attribute,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
)
