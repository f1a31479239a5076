package metrics

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPushErrorsRedactCredentials: a Pushgateway (or a proxy before it)
// that answers 500 echoing the request's credentials, followed by a large
// body, gives an error that shows neither the password, nor the
// Authorization header, nor more than a bounded part of the body.
func TestPushErrorsRedactCredentials(t *testing.T) {
	t.Parallel()
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("denied: Authorization: " + r.Header.Get("Authorization") + " user=" + user + " password=" + pass + " " + strings.Repeat("x", 100000)))
	}))
	defer gw.Close()
	url := strings.Replace(gw.URL, "http://", "http://user:SECRET@", 1)
	c := NewCollector(10)
	c.Set(Next(nil, scan("network", everyStatus(), nil, t0)))
	err := Push(context.Background(), url, "network", NewRegistry(c, nil, nil, Build{Version: "v1"}), PushReplace)
	if err == nil {
		t.Fatal("no error from a 500")
	}
	msg := err.Error()
	basic := base64.StdEncoding.EncodeToString([]byte("user:SECRET"))
	if strings.Contains(msg, "SECRET") || strings.Contains(msg, basic) {
		t.Errorf("error shows the credentials: %q", msg)
	}
	if !strings.Contains(msg, "to http://user:xxxxx@"+strings.TrimPrefix(gw.URL, "http://")) {
		t.Errorf("error does not name the redacted Pushgateway: %q", msg)
	}
	if !strings.Contains(msg, "denied") {
		t.Errorf("error lacks the Pushgateway's answer: %q", msg)
	}
	if len(msg) > 1000 {
		t.Errorf("error is %d bytes: the answer is not bounded", len(msg))
	}
}
