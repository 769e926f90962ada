package integration

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/compat"
)

// compatSubset is the part of the compatibility suite that make test
// runs: quick packages of the standard library and one third-party
// module (docs/compat.md has the whole suite, make test-compat).
var compatSubset = []string{"container/list", "encoding/base32", "github.com/hashicorp/golang-lru/v2"}

// TestCompatSubset runs a few packages of the compatibility suite with
// go test natively and with coracle test, as make test-compat does, and
// wants the same verdict: each passes both ways, with the same number
// of tests.
func TestCompatSubset(t *testing.T) {
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	var pkgs []compat.Package
	for _, path := range compatSubset {
		i := slices.IndexFunc(compat.List, func(p compat.Package) bool { return p.Path == path })
		if i < 0 {
			pkgs = append(pkgs, compat.Package{Path: path, Area: "std"})
			continue
		}
		pkgs = append(pkgs, compat.List[i])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cfg := compat.Config{
		Coracle:  coracleBin,
		Dir:      filepath.Join(repoRoot, "tools", "compat", "suite"),
		Parallel: 1,
		Timeout:  2 * time.Minute,
	}
	rows := compat.Run(ctx, cfg, pkgs)
	for _, r := range rows {
		if r.Native.Verdict != compat.Pass || r.Coracle.Verdict != compat.Pass || r.Native.Passed != r.Coracle.Passed {
			t.Errorf("%s: natively %s, in coracle %s; want both to pass the same tests", r.Package.Path, r.Native, r.Coracle)
		}
	}
	if t.Failed() {
		t.Logf("the table:\n%s", compat.Table(rows))
	}
}
