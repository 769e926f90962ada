package image

import (
	"fmt"
	"go/version"
	"os"
	"slices"
	"strings"
)

// The Go toolchains coracle build accepts. An image holds the stock Go
// runtime, and the kernel depends on that runtime's internals in a few
// places that the Linux ABI does not cover: kernel/symtab reads the
// function table (.gopclntab) in the layout the Go 1.20+ linkers write
// (its header magic and field order), for crash reports and trapcheck;
// boot and the kernel's trap entry assume the linux/amd64 port's TLS
// slot for g and the ABI's register use; and the kernel answers the
// system calls, in the order and with the flags, that these runtimes
// make at start-up (docs/linux-abi.md). A minor release may change any
// of these; patch releases do not (Go's release policy: they fix bugs
// and security problems only). So the check is by minor version, with
// MinGoVersion as the floor.
var (
	// SupportedGoMinors are the minor versions an image was built and
	// booted with: every test with the first, examples/hello,
	// examples/conformance and examples/faults (crash reports
	// symbolized) with the others.
	SupportedGoMinors = []string{"go1.26", "go1.27"}
	// MinGoVersion is the oldest toolchain: coracle's go.mod asks for
	// it (gVisor's netstack requires it), so older ones cannot build.
	MinGoVersion = "go1.26.3"
	// TestedGoVersions are the oldest and newest toolchains the
	// integration test TestGoVersions builds and boots examples/hello
	// with.
	TestedGoVersions = []string{"go1.26.3", "go1.27.4"}
)

// UntestedGoEnv, set to 1, lets coracle build use a toolchain outside
// the supported versions, with a warning: to try a new Go release.
const UntestedGoEnv = "CORACLE_UNTESTED_GO"

// CheckGoVersion returns an error, saying which versions are supported
// and why, unless v (as go env GOVERSION prints it) is a supported
// toolchain.
func CheckGoVersion(v string) error {
	// GOEXPERIMENT settings follow the release as " X:name,...".
	v, _, _ = strings.Cut(v, " X:")
	if !version.IsValid(v) {
		return fmt.Errorf("the go command is %q, a development or unknown toolchain; coracle supports %s: %s", v, supportedList(), whySupported)
	}
	if version.Compare(v, MinGoVersion) < 0 {
		return fmt.Errorf("the go command is %s; coracle needs %s or newer (coracle's go.mod asks for it): install it or set GOTOOLCHAIN=%s", v, MinGoVersion, TestedGoVersions[len(TestedGoVersions)-1])
	}
	if !slices.Contains(SupportedGoMinors, version.Lang(v)) {
		return fmt.Errorf("the go command is %s, which coracle was not tested with; coracle supports %s: %s. Set GOTOOLCHAIN=%s, or %s=1 to build anyway", v, supportedList(), whySupported, TestedGoVersions[len(TestedGoVersions)-1], UntestedGoEnv)
	}
	return nil
}

// whySupported is the reason CheckGoVersion gives.
const whySupported = "the kernel reads the Go runtime's function table (.gopclntab) in the layout of these releases and depends on their runtime's start-up and TLS conventions, which a new minor release may change"

// supportedList names the supported versions for a message.
func supportedList() string {
	var s []string
	for _, m := range SupportedGoMinors {
		if version.Lang(MinGoVersion) == m {
			s = append(s, MinGoVersion+" or a later "+m+".x")
		} else {
			s = append(s, m+".x")
		}
	}
	return strings.Join(s, " and ")
}

// checkToolchain applies CheckGoVersion to the go command's version v,
// unless UntestedGoEnv allows it; then it returns a warning to print.
func checkToolchain(v string) (warning string, err error) {
	err = CheckGoVersion(v)
	if err == nil {
		return "", nil
	}
	v, _, _ = strings.Cut(v, " X:")
	if os.Getenv(UntestedGoEnv) == "1" && version.IsValid(v) && version.Compare(v, MinGoVersion) >= 0 {
		return fmt.Sprintf("coracle: warning: %v (building anyway: %s=1)\n", err, UntestedGoEnv), nil
	}
	return "", err
}
