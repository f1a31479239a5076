package modsource

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hashicorp/go-version"

	"github.com/gitdrift/driftctl/internal/redact"
)

// The module registry protocol:
// https://developer.hashicorp.com/terraform/internals/module-registry-protocol

// modulesService is the service discovery key of the module registry.
const modulesService = "modules.v1"

// versionsAnswer is the JSON of NAMESPACE/NAME/SYSTEM/versions.
type versionsAnswer struct {
	Modules []struct {
		Versions []struct {
			Version string `json:"version"`
		} `json:"versions"`
	} `json:"modules"`
}

// fetchRegistry picks the newest version of the module meeting constraint,
// asks the registry where that version's package is, and fetches it.
func (f *Fetcher) fetchRegistry(ctx context.Context, src Source, constraint string) (*Module, error) {
	addr := src.Registry
	base, err := f.discover(ctx, addr.Host)
	if err != nil {
		return nil, err
	}
	available, err := f.versions(ctx, base, addr)
	if err != nil {
		return nil, err
	}
	chosen, err := f.choose(available, constraint, addr)
	if err != nil {
		return nil, err
	}
	loc, err := f.downloadLocation(ctx, base, addr, chosen)
	if err != nil {
		return nil, err
	}
	inner, err := remoteLocation(loc, src.Subdir)
	if err != nil {
		return nil, errorf(nil, "%s answered the location %q for %s %s: %w", addr.Host, redactSource(loc), addr.Module(), chosen, err)
	}
	var m *Module
	if inner.Kind == Git {
		m, err = f.fetchGit(ctx, inner)
	} else {
		m, err = f.fetchHTTP(ctx, inner, 0)
	}
	if err != nil {
		return nil, errorf(nil, "%s %s from %s: %w", addr.Module(), chosen, redactSource(loc), err)
	}
	m.Source = m.Dir
	m.Version = chosen
	m.base, m.query = addr.String()+" "+chosen, ""
	m.Dir = m.base
	if m.Subdir != "" {
		m.Dir += "//" + m.Subdir
	}
	f.log.Debug("module from registry", "module", addr.String(), "version", chosen, "source", m.Source)
	return m, nil
}

// discover finds the module registry's base URL on host through service
// discovery (https://HOST/.well-known/terraform.json), once per host.
func (f *Fetcher) discover(ctx context.Context, host string) (*url.URL, error) {
	v, err := f.once1(ctx, f.discovery, host, func() (any, error) {
		resp, err := f.get(ctx, "https://"+host+"/.well-known/terraform.json", "application/json")
		if err != nil {
			return nil, errorf(nil, "discovering the module registry of %s: %w", host, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, f.statusError(resp, "its service discovery")
		}
		var services map[string]any
		if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(&services); err != nil {
			return nil, errorf(nil, "%s answered malformed JSON for its service discovery: %v", host, err)
		}
		raw, ok := services[modulesService].(string)
		if !ok {
			return nil, errorf(nil, "%s is not a module registry: its service discovery lists no %s", host, modulesService)
		}
		rel, err := url.Parse(raw)
		if err != nil {
			return nil, errorf(nil, "%s answered an invalid %s URL %q", host, modulesService, redact.URL(raw))
		}
		base := resp.Request.URL.ResolveReference(rel)
		if base.Scheme != "https" && base.Scheme != "http" {
			return nil, errorf(nil, "%s answered an invalid %s URL %q", host, modulesService, redact.URL(raw))
		}
		if !strings.HasSuffix(base.Path, "/") {
			base.Path += "/"
		}
		return base, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*url.URL), nil
}

// endpoint returns base joined with the path elements, each escaped.
func endpoint(base *url.URL, elems ...string) string {
	for i, e := range elems {
		elems[i] = url.PathEscape(e)
	}
	return base.ResolveReference(&url.URL{Path: strings.Join(elems, "/")}).String()
}

// versions lists the module's versions as the registry spells them.
func (f *Fetcher) versions(ctx context.Context, base *url.URL, addr RegistryAddress) ([]string, error) {
	what := addr.Module() + " versions"
	resp, err := f.get(ctx, endpoint(base, addr.Namespace, addr.Name, addr.System, "versions"), "application/json")
	if err != nil {
		return nil, errorf(nil, "listing %s: %w", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, f.statusError(resp, what)
	}
	var answer versionsAnswer
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(&answer); err != nil {
		return nil, errorf(nil, "%s answered malformed JSON for %s: %v", addr.Host, what, err)
	}
	var out []string
	for _, m := range answer.Modules {
		for _, v := range m.Versions {
			out = append(out, v.Version)
		}
	}
	if len(out) == 0 {
		return nil, errorf(ErrNoVersion, "%s lists no versions of %s", addr.Host, addr.Module())
	}
	return out, nil
}

// choose returns the newest of available meeting constraint, as Terraform
// chooses: a prerelease only when a constraint names it exactly ("=
// 1.3.0-beta1" or "1.3.0-beta1").
func (f *Fetcher) choose(available []string, constraint string, addr RegistryAddress) (string, error) {
	var cs version.Constraints
	if strings.TrimSpace(constraint) != "" {
		var err error
		if cs, err = version.NewConstraint(constraint); err != nil {
			return "", errorf(nil, "invalid version constraint %q: %v", constraint, err)
		}
	}
	exact := exactVersions(constraint)
	var best *version.Version
	var bestRaw string
	var all []*version.Version
	for _, raw := range available {
		v, err := version.NewVersion(raw)
		if err != nil {
			f.log.Warn("module registry: version left out", "module", addr.String(), "version", raw, "error", err.Error())
			continue
		}
		all = append(all, v)
		if v.Prerelease() != "" && !slices.ContainsFunc(exact, v.Equal) {
			continue
		}
		if cs != nil && !cs.Check(v) {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best, bestRaw = v, raw
		}
	}
	if best != nil {
		return bestRaw, nil
	}
	slices.SortFunc(all, func(a, b *version.Version) int { return a.Compare(b) })
	shown := make([]string, 0, len(all))
	for _, v := range all {
		shown = append(shown, v.Original())
	}
	if len(shown) > 10 {
		shown = append([]string{"..."}, shown[len(shown)-10:]...)
	}
	if cs == nil {
		return "", errorf(ErrNoVersion, "%s has no release, only prereleases (available: %s)", addr.Module(), strings.Join(shown, ", "))
	}
	return "", errorf(ErrNoVersion, "no version of %s meets %q (available: %s)", addr.Module(), constraint, strings.Join(shown, ", "))
}

// exactVersions returns the versions a constraint names with "=" or no
// operator.
func exactVersions(constraint string) []*version.Version {
	var out []*version.Version
	for _, part := range strings.Split(constraint, ",") {
		p := strings.TrimSpace(part)
		if strings.HasPrefix(p, "=") {
			p = strings.TrimSpace(p[1:])
		} else if p == "" || strings.ContainsAny(p[:1], "<>!~") {
			continue
		}
		if v, err := version.NewVersion(p); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// downloadLocation asks where the package of one version is: a 204 answer's
// X-Terraform-Get header or a 200 answer's JSON {"location": ...}, relative
// to the download URL when it starts with "/", "./" or "../".
func (f *Fetcher) downloadLocation(ctx context.Context, base *url.URL, addr RegistryAddress, ver string) (string, error) {
	what := addr.Module() + " " + ver + " download"
	resp, err := f.get(ctx, endpoint(base, addr.Namespace, addr.Name, addr.System, ver, "download"), "application/json")
	if err != nil {
		return "", errorf(nil, "asking for %s: %w", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return "", f.statusError(resp, what)
	}
	loc := resp.Header.Get("X-Terraform-Get")
	if loc == "" && resp.StatusCode == http.StatusOK {
		var answer struct {
			Location string `json:"location"`
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(&answer); err != nil {
			return "", errorf(nil, "%s answered malformed JSON for %s: %v", addr.Host, what, err)
		}
		loc = answer.Location
	}
	if loc == "" {
		return "", errorf(nil, "%s answered no location (X-Terraform-Get) for %s", addr.Host, what)
	}
	return resolveLocation(resp.Request.URL, loc)
}
