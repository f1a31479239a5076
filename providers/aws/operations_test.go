package aws

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// clientServices are the SDK packages whose clients the provider holds.
var clientServices = map[string]bool{"ec2": true, "s3": true, "iam": true, "sts": true, "ssm": true, "kms": true, "route53": true}

// waiterOperations are the operations an SDK waiter polls.
var waiterOperations = map[string]string{
	"ec2.NewInstanceRunningWaiter":    "ec2:DescribeInstances",
	"ec2.NewInstanceStoppedWaiter":    "ec2:DescribeInstances",
	"ec2.NewInstanceTerminatedWaiter": "ec2:DescribeInstances",
}

var paginatorName = regexp.MustCompile(`^New(\w+)Paginator$`)

// calledOperations finds, in the package's source (tests left out), every
// AWS operation the code calls: methods of the clients (p.ec2.CreateVpc,
// client.ListRoles with client an *iam.Client), paginators
// (ec2.NewDescribeVpcsPaginator), waiters and assume_role's
// credentials provider. Each is "service:Operation" with the file:line of
// one call.
func calledOperations(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := map[string]string{}
	add := func(op string, pos token.Pos) {
		if _, ok := found[op]; !ok {
			found[op] = fset.Position(pos).String()
		}
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			fn, ok := n.(*ast.FuncDecl)
			if !ok {
				return true
			}
			// Parameters of a client type: client *iam.Client.
			clients := map[string]string{}
			for _, field := range fn.Type.Params.List {
				if svc := clientType(field.Type); svc != "" {
					for _, n := range field.Names {
						clients[n.Name] = svc
					}
				}
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				method := sel.Sel.Name
				switch x := sel.X.(type) {
				case *ast.SelectorExpr: // p.ec2.DescribeVpcs
					if clientServices[x.Sel.Name] && method != "Options" {
						add(x.Sel.Name+":"+method, call.Pos())
					}
				case *ast.Ident:
					if svc, ok := clients[x.Name]; ok && method != "Options" {
						add(svc+":"+method, call.Pos())
						return true
					}
					if x.Name == "stscreds" && method == "NewAssumeRoleProvider" {
						add("sts:AssumeRole", call.Pos())
					}
					if !clientServices[x.Name] {
						return true
					}
					if m := paginatorName.FindStringSubmatch(method); m != nil {
						add(x.Name+":"+m[1], call.Pos())
					}
					if strings.HasSuffix(method, "Waiter") && strings.HasPrefix(method, "New") {
						op, ok := waiterOperations[x.Name+"."+method]
						if !ok {
							t.Errorf("%s: waiter %s.%s: add the operation it polls to waiterOperations", fset.Position(call.Pos()), x.Name, method)
						}
						add(op, call.Pos())
					}
				}
				return true
			})
			return false
		})
	}
	return found
}

// clientType is "iam" for *iam.Client, else "".
func clientType(e ast.Expr) string {
	star, ok := e.(*ast.StarExpr)
	if !ok {
		return ""
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Client" {
		return ""
	}
	if id, ok := sel.X.(*ast.Ident); ok && clientServices[id.Name] {
		return id.Name
	}
	return ""
}

// TestOperationsCoverCalls: the operations table lists exactly the
// operations the code calls. A call missing from it would have its answers
// validated by the generic rule only and its IAM action left out of the
// policies; an entry nothing calls would grant an action driftctl does not
// need.
func TestOperationsCoverCalls(t *testing.T) {
	t.Parallel()
	called := calledOperations(t)
	if len(called) < 50 {
		t.Fatalf("found only %d operations in the source: the search is broken", len(called))
	}
	for op, where := range called {
		svc, name, _ := strings.Cut(op, ":")
		if lookupOperation(svc, name) == nil {
			t.Errorf("%s: %s is called but not in the operations table (operations.go)", where, op)
		}
	}
	var stale []string
	for _, op := range operations {
		if _, ok := called[op.service+":"+op.name]; !ok {
			stale = append(stale, op.service+":"+op.name)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("the operations table lists operations the code never calls: %v", stale)
	}
}

// Every operation has IAM actions, and S3's are named as IAM names them.
func TestOperationActions(t *testing.T) {
	t.Parallel()
	for _, op := range operations {
		if len(op.actions) == 0 {
			t.Errorf("%s:%s has no IAM action", op.service, op.name)
		}
		for _, a := range op.actions {
			if !strings.HasPrefix(a, op.service+":") {
				t.Errorf("%s:%s needs %s, not an action of its service", op.service, op.name, a)
			}
		}
	}
	want := map[string]string{
		"ListBuckets":          "s3:ListAllMyBuckets",
		"GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
		"GetBucketEncryption":  "s3:GetEncryptionConfiguration",
		"DeleteBucketTagging":  "s3:PutBucketTagging",
	}
	for name, action := range want {
		if op := lookupOperation("s3", name); op == nil || op.actions[0] != action {
			t.Errorf("s3:%s should need %s", name, action)
		}
	}
}
