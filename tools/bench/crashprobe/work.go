package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// worker is the state of one boot's work.
type worker struct {
	dir   *os.File
	path  string
	logs  []*logFile
	kv    *kvLog
	files []int // the numbers of the r-N files present, ascending
	next  int   // the number of the next file to create
}

// logFile is one log open for appending.
type logFile struct {
	name  string
	f     *os.File
	count int // intact records in it
}

// keepFiles is how many r-N files stay: older ones are deleted.
const keepFiles = 3

// open checks what the directory holds, prints it, repairs what an
// unacked change left (a torn log tail, a t-N file), and returns the
// worker that goes on from there.
func open(path string, logs int) (*worker, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	w := &worker{dir: dir, path: path}
	for i := range logs {
		name := fmt.Sprintf("log-%d", i)
		f, err := os.OpenFile(filepath.Join(path, name), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(f.Name())
		if err != nil {
			return nil, err
		}
		l := &logFile{name: name, f: f, count: intactRecords(name, data)}
		fmt.Printf("%s have %s %d\n", prefix, name, l.count)
		if size := int64(l.count) * recordSize; size != int64(len(data)) {
			// The append that was cut off: never acked.
			if err := f.Truncate(size); err != nil {
				return nil, err
			}
			if err := f.Sync(); err != nil {
				return nil, err
			}
		}
		if _, err := f.Seek(0, 2); err != nil {
			return nil, err
		}
		w.logs = append(w.logs, l)
	}
	if w.kv, err = openKV(path); err != nil {
		return nil, err
	}
	fmt.Printf("%s have %s %d\n", prefix, kvName, w.kv.count)
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		kind, num, ok := fileName(e.Name())
		if !ok {
			continue
		}
		w.next = max(w.next, num+1)
		if kind == "t" {
			if err := os.Remove(filepath.Join(path, e.Name())); err != nil {
				return nil, err
			}
			continue
		}
		data, err := os.ReadFile(filepath.Join(path, e.Name()))
		if err != nil {
			return nil, err
		}
		state := "ok"
		if !bytes.Equal(data, fileContent(num)) {
			state = "bad"
		}
		fmt.Printf("%s file %s %s\n", prefix, e.Name(), state)
		w.files = append(w.files, num)
	}
	slices.Sort(w.files)
	if err := dir.Sync(); err != nil {
		return nil, err
	}
	fmt.Printf("%s verified\n", prefix)
	return w, nil
}

// fileName splits "r-12" or "t-12" into its kind and number.
func fileName(name string) (kind string, num int, ok bool) {
	kind, digits, found := strings.Cut(name, "-")
	if !found || (kind != "r" && kind != "t") {
		return "", 0, false
	}
	num, err := strconv.Atoi(digits)
	if err != nil || num < 0 {
		return "", 0, false
	}
	return kind, num, true
}

// work appends to the logs in turn, and every sixth step creates a file
// (deleting the oldest beyond keepFiles) and puts a record into the
// kvstore, until maxAcks acks (0: for ever).
func (w *worker) work(maxAcks int) error {
	acks := 0
	ack := func(format string, a ...any) {
		fmt.Printf(prefix+" ack "+format+"\n", a...)
		acks++
	}
	appends := 0
	for step := 0; maxAcks == 0 || acks < maxAcks; step++ {
		switch step % 6 {
		case 4:
			if err := w.create(ack); err != nil {
				return err
			}
			continue
		case 5:
			if err := w.kv.put(); err != nil {
				return err
			}
			ack("append %s %d", kvName, w.kv.count)
			w.kv.count++
			continue
		}
		l := w.logs[appends%len(w.logs)]
		appends++
		if _, err := l.f.Write(record(l.name, l.count)); err != nil {
			return fmt.Errorf("append to %s: %w", l.name, err)
		}
		if err := fsync(l.f); err != nil {
			return fmt.Errorf("fsync %s: %w", l.name, err)
		}
		ack("append %s %d", l.name, l.count)
		l.count++
	}
	return nil
}

// create writes t-N, renames it to r-N once it is on the disk, makes the
// name durable, and deletes the oldest r-N beyond keepFiles.
func (w *worker) create(ack func(string, ...any)) error {
	n := w.next
	w.next++
	tmp := filepath.Join(w.path, fmt.Sprintf("t-%d", n))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(fileContent(n)); err != nil {
		f.Close()
		return err
	}
	if err := fsync(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(w.path, fmt.Sprintf("r-%d", n))); err != nil {
		return err
	}
	if err := fsync(w.dir); err != nil {
		return fmt.Errorf("fsync of the directory: %w", err)
	}
	ack("create r-%d", n)
	w.files = append(w.files, n)
	for len(w.files) > keepFiles {
		old := w.files[0]
		// The host learns that r-N may be gone after a kill before
		// the delete is acked.
		fmt.Printf("%s intent delete r-%d\n", prefix, old)
		if err := os.Remove(filepath.Join(w.path, fmt.Sprintf("r-%d", old))); err != nil {
			return err
		}
		if err := fsync(w.dir); err != nil {
			return fmt.Errorf("fsync of the directory: %w", err)
		}
		ack("delete r-%d", old)
		w.files = w.files[1:]
	}
	return nil
}

// fsync is f.Sync, unless -no-sync leaves it out.
func fsync(f *os.File) error {
	if noSync {
		return nil
	}
	return f.Sync()
}
