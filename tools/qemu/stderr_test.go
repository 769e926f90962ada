package qemu

import (
	"strings"
	"testing"
)

func TestLineFilterDropsOnlyOwnWarning(t *testing.T) {
	var out strings.Builder
	f := &lineFilter{w: &out, drop: isOwnWarning}
	input := "qemu-system-x86_64: -fw_cfg name=etc/sercon-port,string=0: warning: externally provided fw_cfg item names should be prefixed with \"opt/\"\n" +
		"qemu-system-x86_64: warning: something else\n" +
		"qemu-system-x86_64: Error loading uncompressed kernel without PVH ELF Note\n" +
		"no newline at the end"
	// Write in awkward pieces: lines must be judged whole.
	for i := 0; i < len(input); i += 7 {
		if _, err := f.Write([]byte(input[i:min(i+7, len(input))])); err != nil {
			t.Fatal(err)
		}
	}
	f.Flush()
	want := "qemu-system-x86_64: warning: something else\n" +
		"qemu-system-x86_64: Error loading uncompressed kernel without PVH ELF Note\n" +
		"no newline at the end"
	if out.String() != want {
		t.Errorf("filtered:\n%q\nwant\n%q", out.String(), want)
	}
}

func TestCappedBuffer(t *testing.T) {
	c := &cappedBuffer{max: 10}
	for _, s := range []string{"12345", "67890abc", "def"} {
		if n, err := c.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if c.String() != "1234567890" {
		t.Errorf("kept %q, want the first 10 bytes", c.String())
	}
}
