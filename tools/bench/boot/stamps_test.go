package main

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFindStamps(t *testing.T) {
	console := "coracle: banner\r\n" +
		"coracle: bootstamps tsc_hz=2000000000 entry=1000 kernel_main=2001000 runtime_entry=6001000\r\n" +
		"main: ready\r\n"
	s, ok, err := findStamps([]byte(console))
	if err != nil || !ok {
		t.Fatalf("findStamps: ok %v, err %v", ok, err)
	}
	want := bootStamps{tscHz: 2e9, entry: 1000, kernelMain: 2001000, runtimeEntry: 6001000}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("stamps = %+v, want %+v", s, want)
	}
	if got := s.toKernelMain(); got != time.Millisecond {
		t.Errorf("toKernelMain = %v, want 1ms", got)
	}
	if got := s.toRuntime(); got != 3*time.Millisecond {
		t.Errorf("toRuntime = %v, want 3ms", got)
	}
}

func TestFindStampsAbsent(t *testing.T) {
	_, ok, err := findStamps([]byte("coracle: banner\nmain: ready\n"))
	if ok || err != nil {
		t.Errorf("findStamps without the line: ok %v, err %v; want false, nil", ok, err)
	}
}

func TestParseStamps(t *testing.T) {
	good := "tsc_hz=100 entry=1 kernel_main=2 runtime_entry=3"
	if _, err := parseStamps(good + " later_stamp=4"); err != nil {
		t.Errorf("an unknown extra stamp should be ignored: %v", err)
	}
	bad := map[string]string{
		"missing field":  "tsc_hz=100 entry=1 kernel_main=2",
		"not a number":   "tsc_hz=100 entry=x kernel_main=2 runtime_entry=3",
		"negative":       "tsc_hz=100 entry=-1 kernel_main=2 runtime_entry=3",
		"twice":          good + " entry=1",
		"zero frequency": "tsc_hz=0 entry=1 kernel_main=2 runtime_entry=3",
		"out of order":   "tsc_hz=100 entry=5 kernel_main=2 runtime_entry=3",
		"half split":     "tsc_hz=100 entry=1 page_tables=2 kernel_main=3 runtime_entry=4",
		"split backward": "tsc_hz=100 entry=1 page_tables=3 long_mode=2 kernel_main=4 runtime_entry=5",
		"split late":     "tsc_hz=100 entry=1 page_tables=2 long_mode=5 kernel_main=4 runtime_entry=6",
	}
	for name, words := range bad {
		if _, err := parseStamps(words); err == nil {
			t.Errorf("%s: parseStamps(%q) succeeded", name, words)
		}
	}
	split, err := parseStamps("tsc_hz=100 entry=1 page_tables=2 long_mode=3 kernel_main=4 runtime_entry=5")
	if err != nil || !split.splitEntry() || split.pageTables != 2 || split.longMode != 3 {
		t.Errorf("a split entry: %+v, %v", split, err)
	}
	if s, _ := parseStamps(good); s.splitEntry() {
		t.Errorf("a line without page_tables claims a split entry")
	}
	_, ok, err := findStamps([]byte(stampsPrefix + "tsc_hz=1\n"))
	if !ok || err == nil || !strings.Contains(err.Error(), "bootstamps") {
		t.Errorf("a malformed line: ok %v, err %v; want true and an error quoting the line", ok, err)
	}
}
