package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gitdrift/driftctl/internal/deathsig"
	"github.com/rogpeppe/go-internal/testscript"
)

// The test scripts change the emulated cloud with the AWS CLI, hundreds of
// times. A CLI process spends about a second of CPU starting (Python,
// botocore, the service models) before it sends its one request: on a
// 2-core machine that was the largest part of the scripts' time. The
// scripts' CLI commands therefore go to warm Python processes running
// testdata/awscli/server.py, which runs each command with a new CLI driver
// and exactly the script's environment, as a new process would. Where the
// CLI is not a Python script that server.py can import (AWS CLI v2 is a
// binary), each command runs as its own process.

// awsEnv are the environment variables a CLI command gets from its script.
var awsEnv = []string{"PATH", "HOME", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PAGER"}

// awsResult is the outcome of one CLI command.
type awsResult struct {
	Code   int    `json:"code"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
}

// warmCLI is a Python process running server.py.
type warmCLI struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// awsCLIs are the idle warm processes; python is the interpreter of the
// aws script ("" when commands run as their own processes), found once.
var awsCLIs = struct {
	once   sync.Once
	python string
	mu     sync.Mutex
	idle   []*warmCLI
}{}

// pythonOfAWS is a Python interpreter that imports the AWS CLI: the one
// the aws script's #! line names, else python3 on PATH (the aws on PATH
// may be a pyenv shim, a shell script); "" when neither does. It answers
// with the interpreter's real path (sys.executable), so that no shim runs
// in between.
func pythonOfAWS() string {
	var candidates []string
	if path, err := exec.LookPath("aws"); err == nil {
		if f, err := os.Open(path); err == nil {
			first, _ := bufio.NewReader(io.LimitReader(f, 512)).ReadString('\n')
			f.Close()
			if fields := strings.Fields(strings.TrimPrefix(first, "#!")); strings.HasPrefix(first, "#!") && len(fields) > 0 && strings.Contains(filepath.Base(fields[len(fields)-1]), "python") {
				candidates = append(candidates, fields...)
			}
		}
	}
	for _, c := range [][]string{candidates, {"python3"}} {
		if len(c) == 0 {
			continue
		}
		out, err := exec.Command(c[0], append(c[1:], "-c", "import sys, awscli.clidriver; print(sys.executable)")...).Output()
		if err == nil && strings.TrimSpace(string(out)) != "" {
			return strings.TrimSpace(string(out))
		}
	}
	return ""
}

// runAWS runs the AWS CLI with args in dir, with env as its whole
// environment.
func runAWS(args, env []string, dir string) (awsResult, error) {
	awsCLIs.once.Do(func() { awsCLIs.python = pythonOfAWS() })
	if awsCLIs.python == "" {
		return runAWSProcess(args, env, dir)
	}
	w, err := takeWarmCLI()
	if err != nil {
		return awsResult{}, err
	}
	res, err := w.run(args, env, dir)
	if err != nil {
		w.close()
		return res, err
	}
	awsCLIs.mu.Lock()
	awsCLIs.idle = append(awsCLIs.idle, w)
	awsCLIs.mu.Unlock()
	return res, nil
}

func takeWarmCLI() (*warmCLI, error) {
	awsCLIs.mu.Lock()
	if n := len(awsCLIs.idle); n > 0 {
		w := awsCLIs.idle[n-1]
		awsCLIs.idle = awsCLIs.idle[:n-1]
		awsCLIs.mu.Unlock()
		return w, nil
	}
	awsCLIs.mu.Unlock()
	server, err := filepath.Abs(filepath.Join("testdata", "awscli", "server.py"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(awsCLIs.python, server)
	cmd.Stderr = os.Stderr
	// The process ends with the test binary (Pdeathsig), or when its
	// standard input closes.
	deathsig.Set(cmd)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", server, err)
	}
	return &warmCLI{cmd: cmd, in: in, out: bufio.NewReader(out)}, nil
}

func (w *warmCLI) run(args, env []string, dir string) (awsResult, error) {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	req, err := json.Marshal(map[string]any{"args": args, "env": vars, "dir": dir})
	if err != nil {
		return awsResult{}, err
	}
	if _, err := w.in.Write(append(req, '\n')); err != nil {
		return awsResult{}, fmt.Errorf("sending a command to the AWS CLI server: %w", err)
	}
	line, err := w.out.ReadBytes('\n')
	if err != nil {
		return awsResult{}, fmt.Errorf("reading the AWS CLI server's answer: %w", err)
	}
	var res awsResult
	if err := json.Unmarshal(line, &res); err != nil {
		return awsResult{}, fmt.Errorf("the AWS CLI server's answer %q: %w", line, err)
	}
	return res, nil
}

func (w *warmCLI) close() {
	w.in.Close()
	_ = w.cmd.Process.Kill()
	_ = w.cmd.Wait()
}

// runAWSProcess runs the CLI as its own process.
func runAWSProcess(args, env []string, dir string) (awsResult, error) {
	cmd := exec.Command("aws", args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return awsResult{Code: exit.ExitCode(), Stdout: stdout.String(), Stderr: stderr.String()}, nil
	}
	return awsResult{Stdout: stdout.String(), Stderr: stderr.String()}, err
}

// scriptAWS runs the CLI for a script: its environment, in $WORK.
func scriptAWS(ts *testscript.TestScript, args []string) awsResult {
	var env []string
	for _, k := range awsEnv {
		env = append(env, k+"="+ts.Getenv(k))
	}
	res, err := runAWS(args, env, ts.Getenv("WORK"))
	if err != nil {
		ts.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// cmdAWS runs the AWS CLI: aws ARGS..., with its output for stdout and
// stderr to check, and `! aws` expecting it to fail.
func cmdAWS(ts *testscript.TestScript, neg bool, args []string) {
	res := scriptAWS(ts, args)
	_, _ = io.WriteString(ts.Stdout(), res.Stdout)
	_, _ = io.WriteString(ts.Stderr(), res.Stderr)
	switch {
	case res.Code != 0 && !neg:
		ts.Fatalf("aws %s: exit status %d", strings.Join(args, " "), res.Code)
	case res.Code == 0 && neg:
		ts.Fatalf("aws %s: unexpected success", strings.Join(args, " "))
	}
}
