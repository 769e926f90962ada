package docscheck

import (
	"strings"
	"testing"
)

// TestRepositoryDocsStandAlone checks the repository's own markdown.
func TestRepositoryDocsStandAlone(t *testing.T) {
	bad, err := Check("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range bad {
		t.Error(msg)
	}
}

func TestCheckText(t *testing.T) {
	files := map[string]bool{
		"README.md":             true,
		"docs":                  true,
		"docs/kernel.md":        true,
		"docs/design.md":        true,
		"kernel":                true,
		"kernel/abi":            true,
		"kernel/abi/socktab.go": true,
	}
	exists := func(p string) bool { return files[p] }
	const doc = "# A fixture\n" +
		"Fine: [design](design.md), [kernel](kernel.md#boot), [up](../README.md), [tree](../kernel/abi/),\n" +
		"[anchor](#a-fixture), [web](https://example.com/x/../shared/NOTES.md), `docs/kernel.md`, kernel.md.\n" +
		"The design as built; `../shared/DESIGN.md` has the goals.\n" +
		"Broken: [gone](network.md) and [far](../../other/README.md) and [abs](/etc/hosts).\n" +
		"See DESIGN.md §3, and the notes in /work/shared/LINUX-ABI.md.\n" +
		"[ref]: ../kernel/missing.go\n" +
		"A shared memory ring is fine prose; so is ../kernel in docs/x.\n" +
		"But ../../up climbs out.\n" +
		"The table is in kernel/abi/socktab.go, not `kernel/sockets.go`; see runtime/os_linux.go.\n"
	got := CheckText("docs/x.md", doc, exists)
	want := []string{
		`docs/x.md:4: "../shared/DESIGN.md" names shared/DESIGN.md, which does not exist`,
		`docs/x.md:4: "shared/DESIGN.md" refers to notes outside the repository (shared/): the docs must stand alone`,
		`docs/x.md:5: link "network.md" points at docs/network.md, which does not exist`,
		`docs/x.md:5: link "../../other/README.md" leaves the repository`,
		`docs/x.md:5: link "/etc/hosts" is an absolute path: link relative to this file`,
		`docs/x.md:6: "shared/LINUX-ABI.md" refers to notes outside the repository (shared/): the docs must stand alone`,
		`docs/x.md:6: "DESIGN.md" names a document the repository does not have`,
		`docs/x.md:7: link "../kernel/missing.go" points at kernel/missing.go, which does not exist`,
		`docs/x.md:9: "../../up" leaves the repository: the docs must stand alone`,
		`docs/x.md:10: "kernel/sockets.go" names a file the repository does not have`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("CheckText:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckTextClean(t *testing.T) {
	exists := func(p string) bool { return p == "docs/kernel.md" || p == "docs" }
	text := "How the kernel does it: [docs/kernel.md](docs/kernel.md).\n"
	if got := CheckText("README.md", text, exists); len(got) != 0 {
		t.Errorf("CheckText of a clean file: %q", got)
	}
}
