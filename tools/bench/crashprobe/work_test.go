package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRecords(t *testing.T) {
	r := record("log-1", 42)
	if len(r) != recordSize || r[recordSize-1] != '\n' {
		t.Fatalf("record %q", r)
	}
	data := append(append(append([]byte{}, record("log-1", 0)...), record("log-1", 1)...), record("log-1", 3)...)
	if n := intactRecords("log-1", data); n != 2 {
		t.Errorf("intact records of 0, 1, 3 = %d, want 2", n)
	}
	if n := intactRecords("log-2", data); n != 0 {
		t.Errorf("another log's records counted: %d", n)
	}
	if n := intactRecords("log-1", data[:recordSize+10]); n != 1 {
		t.Errorf("a torn second record: %d intact, want 1", n)
	}
}

// TestRepair checks what a boot does with what a crash left: the torn
// tail of a log cut off, a t-N file removed, a damaged r-N reported, and
// numbering going on after the highest name seen.
func TestRepair(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "crash")
	w, err := open(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.work(12); err != nil {
		t.Fatal(err)
	}
	w.kv.store.Close() // bbolt's lock: a crashed guest holds none
	log0 := filepath.Join(dir, "log-0")
	f, err := os.OpenFile(log0, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("torn"))
	f.Close()
	os.WriteFile(filepath.Join(dir, "t-9"), []byte("partial"), 0o644)
	os.WriteFile(filepath.Join(dir, "r-1"), []byte("damaged"), 0o644)

	w, err = open(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if w.logs[0].count != 4 {
		t.Errorf("log-0 has %d intact records, want 4", w.logs[0].count)
	}
	if fi, _ := os.Stat(log0); fi.Size() != 4*recordSize {
		t.Errorf("log-0 is %d bytes after the repair, want %d", fi.Size(), 4*recordSize)
	}
	if _, err := os.Stat(filepath.Join(dir, "t-9")); !os.IsNotExist(err) {
		t.Errorf("t-9 left: %v", err)
	}
	if w.kv.count != 2 {
		t.Errorf("kvstore has %d intact records, want 2", w.kv.count)
	}
	if w.next != 10 {
		t.Errorf("next file number %d, want 10", w.next)
	}
	if err := w.work(5); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "r-10")); err != nil {
		t.Error(err)
	}
}
