package image

import (
	"runtime/debug"
	"testing"
)

func TestSymbolPackage(t *testing.T) {
	for name, want := range map[string]string{
		"runtime.mallocgc":                                      "runtime",
		"internal/runtime/atomic.(*Uint32).Load":                "internal/runtime/atomic",
		"github.com/coracle-os/coracle/kernel.dispatch":         "github.com/coracle-os/coracle/kernel",
		"github.com/coracle-os/coracle/kernel/mm.(*AS).Map":     "github.com/coracle-os/coracle/kernel/mm",
		"gopkg.in/yaml%2ev3.unmarshal":                          "gopkg.in/yaml%2ev3", // the linker escapes dots after the last slash
		"main.main":                                             "main",
		"type:*github.com/coracle-os/coracle/kernel.T":          "",
		"go:string.*":                                           "",
		"go:buildinfo":                                          "",
		"noname":                                                "",
		"crypto/internal/fips140/drbg.memory":                   "crypto/internal/fips140/drbg",
		"github.com/coracle-os/coracle/kernel.init.0":           "github.com/coracle-os/coracle/kernel",
		"github.com/coracle-os/coracle/kernel.(*x).f.func1":     "github.com/coracle-os/coracle/kernel",
		"github.com/coracle-os/coracle/net/autostart.Start[..]": "github.com/coracle-os/coracle/net/autostart",
	} {
		if got := SymbolPackage(name); got != want {
			t.Errorf("SymbolPackage(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestCoracleVersion(t *testing.T) {
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"inside coracle's module", debug.BuildInfo{Main: debug.Module{Path: ModulePath, Version: "(devel)"}}, "devel"},
		{"a dependency", debug.BuildInfo{Main: debug.Module{Path: "example.com/app"},
			Deps: []*debug.Module{{Path: "golang.org/x/sys", Version: "v0.1.0"}, {Path: ModulePath, Version: "v0.3.1"}}}, "v0.3.1"},
		{"replaced by a directory", debug.BuildInfo{Main: debug.Module{Path: "example.com/app"},
			Deps: []*debug.Module{{Path: ModulePath, Version: "v0.3.1", Replace: &debug.Module{Path: "../coracle"}}}}, "devel"},
		{"replaced by a version", debug.BuildInfo{Main: debug.Module{Path: "example.com/app"},
			Deps: []*debug.Module{{Path: ModulePath, Version: "v0.3.1", Replace: &debug.Module{Path: "example.com/fork", Version: "v0.3.2"}}}}, "v0.3.2"},
	}
	for _, tt := range tests {
		if got := coracleVersion(&tt.bi); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := coracleVersion(&debug.BuildInfo{Main: debug.Module{Path: "example.com/app"}}); got == "devel" || got == "" {
		t.Errorf("without coracle: %q", got)
	}
}
