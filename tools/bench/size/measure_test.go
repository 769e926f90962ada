package main

import (
	"os"
	"testing"
)

// measure accounts for every file-backed loaded byte of a real Go
// program (this test's own binary): its groups' symbols and what no
// symbol covers add up to PT_LOAD's filesz.
func TestMeasureAccountsForLoadedBytes(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	s, err := measure(exe, classifier{})
	if err != nil {
		t.Skipf("cannot read this test's binary as ELF: %v", err)
	}
	var sum uint64
	for _, n := range s.Loaded {
		sum += n
	}
	if sum+s.Unattributed != s.LoadFile {
		t.Errorf("symbols %d + unattributed %d != PT_LOAD filesz %d", sum, s.Unattributed, s.LoadFile)
	}
	if s.LoadFile == 0 || s.LoadMem < s.LoadFile || s.File < int64(s.LoadFile) {
		t.Errorf("sizes do not nest: file %d, filesz %d, memsz %d", s.File, s.LoadFile, s.LoadMem)
	}
	if s.Loaded[groupRuntime] == 0 || s.Loaded[groupStd] == 0 || s.Zero[groupRuntime] == 0 {
		t.Errorf("no runtime or standard library symbols found: %+v", s.Loaded)
	}
	top := s.largest(groupRuntime, false, 3)
	if len(top) != 3 || top[0].name != "runtime" {
		t.Errorf("largest runtime packages = %v, want runtime first", top)
	}
	for i := 1; i < len(top); i++ {
		if top[i].size > top[i-1].size {
			t.Errorf("largest is not sorted: %v", top)
		}
	}
}
