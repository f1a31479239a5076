package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gitdrift/driftctl/internal/hangserver"
	"github.com/gitdrift/driftctl/providers/aws/emulator"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"driftctl": func() { main() },
	})
}

// TestScripts runs the CLI end to end: the real binary against moto, over
// the projects in testdata/script/*.txtar. UPDATE_SCRIPTS=1 rewrites their
// expected outputs.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") == "1",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"moto":      cmdMoto,
			"aws":       cmdAWS,
			"awsid":     cmdAWSID,
			"tfstate":   cmdTFState,
			"fault":     cmdFault,
			"capture":   cmdCapture,
			"gitserve":  cmdGitServe,
			"hangserve": cmdHangServe,
			"echoserve": cmdEchoServe,
			"registry":  cmdRegistry,
			"subst":     cmdSubst,
			"exits":     cmdExits,
			"testfs":    cmdTestfs,
		},
		Condition: func(cond string) (bool, error) {
			if cond == "moto" {
				// In CI a missing moto_server must fail the scripts, not
				// skip them: there the condition always holds.
				// The scripts also change the cloud with the AWS CLI.
				_, errMoto := exec.LookPath("moto_server")
				_, errCLI := exec.LookPath("aws")
				return errMoto == nil && errCLI == nil || os.Getenv("CI") == "true", nil
			}
			if cond == "testfs" {
				return testfsBuilds(), nil
			}
			if cond == "git" {
				return gitAvailable(), nil
			}
			return false, errors.New("unknown condition " + cond)
		},
		Setup: func(env *testscript.Env) error {
			// Scripts never reach a real account: no profile, no metadata
			// service.
			env.Setenv("AWS_CONFIG_FILE", "/dev/null")
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			env.Setenv("AWS_PAGER", "")
			env.Values[proxyKey{}] = &proxyHolder{}
			return nil
		},
	})
}

// cmdMoto gives the script a moto_server holding no resources (a fresh
// one, or one an earlier script left, reset) and points the environment
// (driftctl's SDK and the AWS CLI) at it. Scripts guard it with
// `[!moto] skip 'moto_server is not installed: pip install "moto[server]"'`.
func cmdMoto(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! moto")
	}
	region := "us-east-1"
	if len(args) > 0 {
		region = args[0]
	}
	srv, release, err := emulator.Acquire(context.Background())
	ts.Check(err)
	ts.Defer(release)
	for _, kv := range emulator.Environ(srv.URL(), region) {
		k, v, _ := strings.Cut(kv, "=")
		ts.Setenv(k, v)
	}
	ts.Setenv("MOTO_URL", srv.URL())
}

// cmdAWSID runs the AWS CLI and stores its trimmed output in an
// environment variable: awsid NAME ec2 create-vpc ... --query Vpc.VpcId.
func cmdAWSID(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: awsid NAME aws-cli-args...")
	}
	res := scriptAWS(ts, append(args[1:], "--output", "text"))
	if res.Code != 0 {
		ts.Fatalf("aws %s: exit status %d\n%s%s", strings.Join(args[1:], " "), res.Code, res.Stdout, res.Stderr)
	}
	ts.Setenv(args[0], strings.TrimSpace(res.Stdout))
}

// cmdTFState writes a Terraform state: tfstate FILE ADDR=ID... ADDR:ATTR=VALUE...
func cmdTFState(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: tfstate FILE ADDR=ID... ADDR:ATTR=VALUE...")
	}
	e := emulator.NewEstate()
	for _, a := range args[1:] {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("tfstate: %q is not ADDR=ID or ADDR:ATTR=VALUE", a)
		}
		if addr, attr, ok := strings.Cut(k, ":"); ok {
			if e.Attrs[addr] == nil {
				e.Attrs[addr] = map[string]any{}
			}
			e.Attrs[addr][attr] = v
			continue
		}
		e.IDs[k] = v
	}
	data, err := e.StateJSON()
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}

// cmdFault puts a fault-injecting proxy in front of the script's moto (once)
// and makes requests of one operation fail:
// fault SERVICE OPERATION STATUS [CODE [PROBABILITY]], e.g. fault ec2
// DescribeVpcs 403 UnauthorizedOperation; OPERATION * is every operation.
// STATUS "lie" answers 200 with a web page instead (emulator.Fault.Lie).
func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 1 && args[0] == "clear" {
		if h := ts.Value(proxyKey{}).(*proxyHolder); h.proxy != nil {
			h.proxy.Clear()
		}
		return
	}
	if neg || len(args) < 3 {
		ts.Fatalf("usage: fault SERVICE OPERATION STATUS [CODE], or fault clear")
	}
	lie := args[2] == "lie"
	status := 0
	if !lie {
		var err error
		status, err = strconv.Atoi(args[2])
		ts.Check(err)
	}
	code := ""
	if len(args) > 3 {
		code = args[3]
	}
	prob := 0.0
	if len(args) > 4 {
		p, err := strconv.ParseFloat(args[4], 64)
		ts.Check(err)
		prob = p
	}
	op := args[1]
	if op == "*" {
		op = ""
	}
	h := ts.Value(proxyKey{}).(*proxyHolder)
	if h.proxy == nil {
		p, err := emulator.NewProxy(ts.Getenv("MOTO_URL"))
		ts.Check(err)
		ts.Defer(p.Close)
		h.proxy = p
		ts.Setenv("AWS_ENDPOINT_URL", p.URL())
	}
	h.proxy.Inject(emulator.Fault{Service: args[0], Operation: op, Status: status, Code: code, Probability: prob, Lie: lie})
}

type proxyKey struct{}

// proxyHolder keeps a script's fault proxy between commands.
type proxyHolder struct{ proxy *emulator.Proxy }

// cmdCapture runs a program and stores its trimmed output in an environment
// variable: capture NAME git -C work rev-parse HEAD.
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: capture NAME program args...")
	}
	cmd := exec.Command(args[1], args[2:]...)
	cmd.Dir = ts.Getenv("WORK")
	out, err := cmd.Output()
	if err != nil {
		ts.Fatalf("%s: %v", strings.Join(args[1:], " "), err)
	}
	ts.Setenv(args[0], strings.TrimSpace(string(out)))
}

// cmdGitServe serves the bare repositories under a directory over HTTP with
// git http-backend on 127.0.0.1 and sets GITURL to the server's address.
func cmdGitServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gitserve DIR")
	}
	execPath, err := exec.Command("git", "--exec-path").Output()
	ts.Check(err)
	backend := &cgi.Handler{
		Path:   filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
		Env:    []string{"GIT_PROJECT_ROOT=" + ts.MkAbs(args[0]), "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull},
		Stderr: io.Discard,
	}
	srv := httptest.NewServer(backend)
	ts.Defer(srv.Close)
	ts.Setenv("GITURL", srv.URL)
}

// cmdHangServe starts a TCP listener on 127.0.0.1 that accepts connections
// and never answers, and sets NAME to its http:// URL: hangserve NAME.
func cmdHangServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: hangserve NAME")
	}
	srv, err := hangserver.Silent()
	ts.Check(err)
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.URL)
}

// cmdEchoServe starts an HTTP server that answers every request 500 with
// the request's Authorization header and basic-auth credentials in its
// body, as a careless proxy would, and sets NAME to its host:port:
// echoserve NAME.
func cmdEchoServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: echoserve NAME")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "refused %s %s: Authorization: %s (user %s, password %s)", r.Method, r.URL, r.Header.Get("Authorization"), user, pass)
	}))
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.Listener.Addr().String())
}
