package modsource

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

// Kind says where the files of a module source come from.
type Kind int

const (
	// Local is a path starting with ./ or ../ (or .\ and ..\), read by the
	// configuration itself, never fetched.
	Local Kind = iota
	// Git is a Git repository: git::URL, github.com/ORG/REPO,
	// bitbucket.org/ORG/REPO or git@HOST:PATH.
	Git
	// Registry is a module registry address: [HOST/]NAMESPACE/NAME/SYSTEM.
	Registry
	// HTTP is an http(s) URL: an archive (.zip, .tar.gz, ...), or a page
	// whose X-Terraform-Get header names the real source.
	HTTP
)

// String names the kind in lower case.
func (k Kind) String() string {
	switch k {
	case Local:
		return "local"
	case Git:
		return "git"
	case Registry:
		return "registry"
	case HTTP:
		return "http"
	}
	return "unknown"
}

// IsRemote reports whether sources of this kind are fetched.
func (k Kind) IsRemote() bool { return k != Local }

// DefaultRegistryHost is the registry of an address without a host.
const DefaultRegistryHost = "registry.terraform.io"

// RegistryAddress is a module in a module registry.
type RegistryAddress struct {
	// Host is the registry's host name, lower case, with a port if one was
	// written.
	Host string
	// Namespace, Name and System (the "provider" part) as written.
	Namespace, Name, System string
}

// String returns HOST/NAMESPACE/NAME/SYSTEM.
func (a RegistryAddress) String() string { return a.Host + "/" + a.Module() }

// Module returns NAMESPACE/NAME/SYSTEM, the module's path in the registry.
func (a RegistryAddress) Module() string { return a.Namespace + "/" + a.Name + "/" + a.System }

// Source is a parsed module source address.
type Source struct {
	Kind Kind
	// Location is, for Git, the repository as gitsource.Open takes it (an
	// https, http, ssh, git or file URL, or scp-like git@host:path) without
	// the ref and depth arguments; for HTTP, the URL without archive=; for
	// Local, the path as written; for Registry, "".
	Location string
	// Ref is the Git ref= argument (a branch, tag or commit SHA); "" means
	// the remote's default branch.
	Ref string
	// Archive is the archive format of an HTTP source ("zip", "tar.gz",
	// "tar.bz2", "tar"), "" when the URL does not name an archive.
	Archive string
	// Registry is the module of a Registry source.
	Registry RegistryAddress
	// Subdir is the directory inside the package (the part after "//"),
	// slash-separated and clean, "" for the package's root.
	Subdir string
}

// IsLocal reports whether source is a local path (./ or ../), which the
// configuration reads itself, as Terraform does.
func IsLocal(source string) bool {
	for _, p := range []string{"./", "../", ".\\", "..\\"} {
		if strings.HasPrefix(source, p) {
			return true
		}
	}
	return false
}

// IsRegistry reports whether source is a module registry address.
func IsRegistry(source string) bool {
	_, ok := parseRegistry(source)
	return ok
}

// ParseSource parses a module block's source as Terraform 1.11 does: a local
// path, else a registry address if it parses as one, else a remote address
// through go-getter's detectors (GitHub, Bitbucket, scp-like Git). Sources
// that Terraform accepts but driftctl cannot fetch (s3::, gcs::, hg::, file
// paths, .xz archives) are an *Error matching ErrUnsupported.
func ParseSource(source string) (Source, error) {
	switch {
	case source == "":
		return Source{}, newError(source, "the source is empty", nil)
	case IsLocal(source):
		return Source{Kind: Local, Location: source}, nil
	}
	if s, ok := parseRegistry(source); ok {
		return s, nil
	}
	s, err := parseRemote(source)
	if err != nil {
		return Source{}, wrapError(source, err)
	}
	return s, nil
}

// forcedGetter matches go-getter's "getter::address" prefix.
var forcedGetter = regexp.MustCompile(`^([A-Za-z0-9]+)::(.+)$`)

// splitForced splits a forced getter ("git::") from the address.
func splitForced(src string) (getter, rest string) {
	if m := forcedGetter.FindStringSubmatch(src); m != nil {
		return strings.ToLower(m[1]), m[2]
	}
	return "", src
}

// splitSubdir splits "address//subdir?query" into "address?query" and
// "subdir", as go-getter's SourceDirSubdir: the "//" of a scheme does not
// count, nor does anything in the query.
func splitSubdir(src string) (string, string) {
	stop := len(src)
	if i := strings.Index(src, "?"); i > -1 {
		stop = i
	}
	offset := 0
	if i := strings.Index(src[:stop], "://"); i > -1 {
		offset = i + 3
	}
	i := strings.Index(src[offset:stop], "//")
	if i == -1 {
		return src, ""
	}
	i += offset
	sub := src[i+2:]
	src = src[:i]
	if q := strings.Index(sub, "?"); q > -1 {
		src += sub[q:]
		sub = sub[:q]
	}
	return src, sub
}

// cleanSubdir cleans a package subdirectory, refusing one that leaves the
// package (Terraform's "leads outside of the module package").
func cleanSubdir(sub string) (string, error) {
	s := strings.TrimLeft(strings.ReplaceAll(sub, "\\", "/"), "/")
	if s == "" {
		return "", nil
	}
	if !inside(s) {
		return "", errorf(nil, "subdirectory path %q leads outside of the module package", sub)
	}
	if c := path.Clean(s); c != "." {
		return c, nil
	}
	return "", nil
}

// inside reports whether a relative slash path stays inside its root when
// cleaned lexically.
func inside(p string) bool {
	c := path.Clean(p)
	return c != ".." && !strings.HasPrefix(c, "../") && !path.IsAbs(c)
}

// Registry address parts, as terraform-registry-address checks them.
var (
	registryName   = regexp.MustCompile(`^[0-9A-Za-z](?:[0-9A-Za-z_-]{0,62}[0-9A-Za-z])?$`)
	registrySystem = regexp.MustCompile(`^[0-9a-z]{1,64}$`)
	registryHost   = regexp.MustCompile(`^[0-9A-Za-z](?:[0-9A-Za-z.-]*[0-9A-Za-z])?(?::[0-9]{1,5})?$`)
)

// parseRegistry parses [HOST/]NAMESPACE/NAME/SYSTEM[//subdir]. As in
// Terraform, an address that does not parse is not an error: it is then
// read as a remote address.
func parseRegistry(src string) (Source, bool) {
	pkg, sub := splitSubdir(src)
	sub, err := cleanSubdir(sub)
	if err != nil {
		return Source{}, false
	}
	parts := strings.Split(pkg, "/")
	if len(parts) != 3 && len(parts) != 4 {
		return Source{}, false
	}
	host := DefaultRegistryHost
	if len(parts) == 4 {
		host = strings.ToLower(parts[0])
		if !registryHost.MatchString(host) || !strings.Contains(host, ".") || strings.Contains(host, "--") {
			return Source{}, false
		}
		// Reserved for installing straight from version control.
		if host == "github.com" || host == "bitbucket.org" {
			return Source{}, false
		}
		parts = parts[1:]
	}
	if !registryName.MatchString(parts[0]) || !registryName.MatchString(parts[1]) || !registrySystem.MatchString(parts[2]) {
		return Source{}, false
	}
	addr := RegistryAddress{Host: host, Namespace: parts[0], Name: parts[1], System: parts[2]}
	return Source{Kind: Registry, Registry: addr, Subdir: sub}, true
}

// scpLike matches go-getter's SSH shorthand [user@]host:path.
var scpLike = regexp.MustCompile(`^(?:([^@/:]+)@)?([^@/:]+):(.+)$`)

// hasScheme matches an address that starts with a URL scheme.
var hasScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// parseRemote reads a go-getter address: a forced getter, a URL with a
// scheme, or one of the shorthands go-getter's detectors recognize.
func parseRemote(src string) (Source, error) {
	forced, rest := splitForced(src)
	pkg, sub := splitSubdir(rest)
	switch forced {
	case "":
	case "git":
		return gitSource(pkg, sub)
	case "http", "https":
		return httpSource(pkg, sub)
	case "s3", "gcs", "hg", "file":
		return Source{}, errorf(ErrUnsupported, "%s:: sources are not supported", forced)
	default:
		return Source{}, errorf(nil, "unknown source type %q", forced+"::")
	}
	lower := strings.ToLower(pkg)
	switch {
	case hasScheme.MatchString(pkg):
		scheme := lower[:strings.Index(lower, "://")]
		switch scheme {
		case "http", "https":
			return httpSource(pkg, sub)
		case "git":
			return gitSource(pkg, sub)
		case "s3", "gs", "gcs":
			return Source{}, errorf(ErrUnsupported, "%s:// sources are not supported", scheme)
		case "file":
			return Source{}, errorf(ErrUnsupported, "file:// sources are not supported; use a relative path (./ or ../)")
		}
		return Source{}, errorf(nil, "%s:// needs a source type prefix, such as git::%s://", scheme, scheme)
	case strings.HasPrefix(lower, "github.com/"), strings.HasPrefix(lower, "bitbucket.org/"):
		return hostedGit(pkg, sub)
	case strings.HasPrefix(pkg, "/"):
		return Source{}, errorf(ErrUnsupported, "absolute paths are not supported; a local path must begin with ./ or ../")
	case strings.Contains(lower, ".amazonaws.com/"):
		return Source{}, errorf(ErrUnsupported, "S3 sources are not supported")
	case strings.HasPrefix(lower, "www.googleapis.com/storage/"):
		return Source{}, errorf(ErrUnsupported, "GCS sources are not supported")
	}
	// go-getter's Git detector takes the SSH shorthand only with user git.
	if m := scpLike.FindStringSubmatch(pkg); m != nil && m[1] == "git" {
		return gitSource(pkg, sub)
	}
	return Source{}, errorf(nil, "cannot tell what kind of source this is; a local path must begin with ./ or ../, a Git one with git::")
}

// hostedGit reads github.com/ORG/REPO[/sub...] and bitbucket.org/ORG/REPO
// as go-getter's GitHub detector does: https, with ".git" added.
func hostedGit(pkg, sub string) (Source, error) {
	base, query, _ := strings.Cut(pkg, "?")
	parts := strings.Split(base, "/")
	if len(parts) < 3 || parts[1] == "" || parts[2] == "" {
		return Source{}, errorf(nil, "%s sources must be %s/ORGANIZATION/REPOSITORY", parts[0], parts[0])
	}
	repo := "https://" + strings.Join(parts[:3], "/")
	if !strings.HasSuffix(repo, ".git") {
		repo += ".git"
	}
	if len(parts) > 3 {
		sub = path.Join(strings.Join(parts[3:], "/"), sub)
	}
	if query != "" {
		repo += "?" + query
	}
	return gitSource(repo, sub)
}

// gitSource takes ref= and depth= out of a Git address.
func gitSource(pkg, sub string) (Source, error) {
	sub, err := cleanSubdir(sub)
	if err != nil {
		return Source{}, err
	}
	base, rawQuery, _ := strings.Cut(pkg, "?")
	lower := strings.ToLower(base)
	if !scpLike.MatchString(base) || strings.Contains(base, "://") {
		ok := false
		for _, s := range []string{"https://", "http://", "ssh://", "git://", "file://"} {
			ok = ok || strings.HasPrefix(lower, s)
		}
		if !ok {
			return Source{}, errorf(nil, "a Git source must be an https, http, ssh, git or file URL, or git@HOST:PATH")
		}
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return Source{}, errorf(nil, "invalid query: %v", err)
	}
	if q.Has("sshkey") {
		return Source{}, errorf(ErrUnsupported, "sshkey= is not supported; set DRIFTCTL_GIT_SSH_KEY to a key file")
	}
	ref := q.Get("ref")
	q.Del("ref")
	q.Del("depth") // a shallow clone is an optimization only
	loc := base
	if len(q) > 0 {
		loc += "?" + q.Encode()
	}
	return Source{Kind: Git, Location: loc, Ref: ref, Subdir: sub}, nil
}

// archiveSuffixes are the archive extensions go-getter recognizes, longest
// first; unsupported ones map to "".
var archiveSuffixes = []struct{ suffix, format string }{
	{".tar.gz", "tar.gz"}, {".tar.bz2", "tar.bz2"}, {".tar.xz", ""}, {".tar.zst", ""},
	{".tgz", "tar.gz"}, {".tbz2", "tar.bz2"}, {".txz", ""}, {".tzst", ""},
	{".zip", "zip"}, {".tar", "tar"}, {".gz", ""}, {".bz2", ""}, {".xz", ""}, {".zst", ""},
}

// httpSource reads an http(s) URL: an archive by its archive= argument or
// its extension, else a page to ask for X-Terraform-Get.
func httpSource(pkg, sub string) (Source, error) {
	sub, err := cleanSubdir(sub)
	if err != nil {
		return Source{}, err
	}
	u, err := url.Parse(pkg)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return Source{}, errorf(nil, "invalid URL")
	}
	format, known := "", false
	q := u.Query()
	if a := q.Get("archive"); a != "" {
		q.Del("archive")
		u.RawQuery = q.Encode()
		a = strings.ToLower(a)
		for _, s := range archiveSuffixes {
			if s.suffix == "."+a {
				format, known = s.format, true
			}
		}
		if !known || format == "" {
			return Source{}, errorf(ErrUnsupported, "archive format %q is not supported (zip, tar.gz, tgz, tar.bz2, tar)", a)
		}
	} else {
		p := strings.ToLower(u.Path)
		for _, s := range archiveSuffixes {
			if strings.HasSuffix(p, s.suffix) {
				if s.format == "" {
					return Source{}, errorf(ErrUnsupported, "archive format %q is not supported (zip, tar.gz, tgz, tar.bz2, tar)", s.suffix[1:])
				}
				format = s.format
				break
			}
		}
	}
	return Source{Kind: HTTP, Location: u.String(), Archive: format, Subdir: sub}, nil
}
