// Package redact takes credentials out of URLs before they are shown: in
// errors, logs, metric labels and API answers.
package redact

import (
	"net/url"
	"strings"
)

// Mask replaces a redacted password or query value.
const Mask = "xxxxx"

// URL returns s as it may be shown. A URL's userinfo keeps only its user
// name ("user:xxxxx@"); a user name alone, which is often a token
// ("https://TOKEN@host"), becomes "xxxxx@". Query parameters whose names
// say they carry a credential (token, key, secret, password, signature,
// credential, auth, session, X-Amz-*) get the value "xxxxx". Anything that
// is not a URL with a scheme (a local path, an scp-like Git address) is
// returned as it is. A string url.Parse refuses is redacted by hand, so
// nothing between "://" and the host's last "@" survives.
func URL(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Opaque != "" || u.Host == "" {
		// Not scheme://authority/...: whatever "://" is part of, nothing
		// before an "@" after it is shown.
		return byHand(s)
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Mask)
		} else if u.User.Username() != "" {
			u.User = url.User(Mask)
		} else {
			u.User = nil
		}
	}
	if u.RawQuery != "" {
		u.RawQuery = query(u.RawQuery)
	}
	return u.String()
}

// query redacts the values of credential-like parameters of a raw query,
// keeping the order and the spelling of the others.
func query(raw string) string {
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		decoded, err := url.QueryUnescape(name)
		if err != nil {
			decoded = name
		}
		if hasValue && Sensitive(decoded) {
			parts[i] = name + "=" + Mask
		}
	}
	return strings.Join(parts, "&")
}

// sensitiveWords are the parts of parameter names that carry credentials.
var sensitiveWords = []string{"token", "key", "secret", "passw", "pwd", "signature", "sig", "credential", "auth", "session"}

// Sensitive reports whether a query parameter (or header) named name
// carries a credential.
func Sensitive(name string) bool {
	n := strings.ToLower(name)
	if strings.HasPrefix(n, "x-amz-") {
		return true
	}
	for _, w := range sensitiveWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// byHand redacts a string that url.Parse refuses: the userinfo (up to the
// last "@" before the path) is masked and the query is treated as URL
// treats a parsed one.
func byHand(s string) string {
	scheme, rest, _ := strings.Cut(s, "://")
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host, tail := rest[:end], rest[end:]
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = Mask + "@" + host[i+1:]
	}
	if before, q, ok := strings.Cut(tail, "?"); ok {
		q, frag, hasFrag := strings.Cut(q, "#")
		tail = before + "?" + query(q)
		if hasFrag {
			tail += "#" + frag
		}
	}
	return scheme + "://" + host + tail
}

// String replaces, in text, every occurrence of each of urls (and of the
// forms Go's errors print them in: quoted, with url.Error's "***" password)
// by its redacted form.
func String(text string, urls ...string) string {
	for _, raw := range urls {
		if raw == "" {
			continue
		}
		red := URL(raw)
		if red == raw {
			continue
		}
		text = strings.ReplaceAll(text, raw, red)
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		// Go prints a URL normalized; net/http's *url.Error prints it with
		// the password as "***" and url.URL.Redacted as "xxxxx", both with
		// the user name (possibly a token) and the query as they are.
		forms := []string{u.String()}
		if u.User != nil {
			if _, ok := u.User.Password(); ok {
				info := u.User.String() + "@"
				user := url.User(u.User.Username()).String()
				for _, mask := range []string{"***", Mask} {
					forms = append(forms, strings.Replace(u.String(), info, user+":"+mask+"@", 1))
				}
			}
		}
		for _, f := range forms {
			text = strings.ReplaceAll(text, f, red)
		}
	}
	return text
}

// Error returns err with every occurrence of urls in its message redacted
// (see String). errors.Is and errors.As still see through it to err.
func Error(err error, urls ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := String(msg, urls...)
	if red == msg {
		return err
	}
	return &redacted{msg: red, err: err}
}

// redacted is an error whose message was redacted; it unwraps to the
// original.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }
