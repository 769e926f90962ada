package qemu

import (
	"slices"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

func TestParseShare(t *testing.T) {
	dir := t.TempDir()
	s, err := ParseShare(dir + ":/data/../srv/:ro")
	if err != nil || s != (Share{HostDir: dir, GuestDir: "/srv", ReadOnly: true}) {
		t.Errorf("ParseShare: %+v, %v", s, err)
	}
	if s, err := ParseShare(dir + ":/data:rw"); err != nil || s.ReadOnly {
		t.Errorf("ParseShare with :rw: %+v, %v", s, err)
	}
	for v, want := range map[string]string{
		dir:                 "want HOSTDIR:GUESTDIR",
		dir + ":/a:b":       "want HOSTDIR:GUESTDIR",
		":/data":            "name the host directory",
		dir + ":data":       "must be absolute",
		dir + ":/":          "not / itself",
		dir + ":/..":        "not / itself",
		dir + "/none:/data": "name an existing directory",
	} {
		if _, err := ParseShare(v); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseShare(%q): %v, want an error saying %q", v, err, want)
		}
	}
}

// The words ShareWords writes are the ones the kernel and the file
// service read back, and the QEMU devices carry the same tags.
func TestShareWordsAndArgs(t *testing.T) {
	list := []Share{{HostDir: "/h/a,b", GuestDir: "/data dir"}, {HostDir: "/h/c", GuestDir: "/ro", ReadOnly: true}}
	words := ShareWords(list)
	if len(words) != 2 {
		t.Fatalf("ShareWords: %q", words)
	}
	sc := cmdline.NewScanner(strings.Join(words, " "))
	for i := 0; ; i++ {
		w, ok := sc.Next()
		if !ok {
			if i != 2 {
				t.Errorf("%d words scanned", i)
			}
			break
		}
		tag, path, ro, ok := shares.Split(w.Value)
		buf := make([]byte, cmdline.DecodedLen(path))
		cmdline.Decode(buf, path)
		if w.Key != shares.Key || !ok || tag != shareTag(i) || string(buf) != list[i].GuestDir || ro != list[i].ReadOnly {
			t.Errorf("word %q: key %q tag %q path %q ro %v ok %v", words[i], w.Key, tag, buf, ro, ok)
		}
	}
	for _, m := range []Machine{Microvm, Q35} {
		args := strings.Join(sharesArgs(list, m), " ")
		device := "virtio-9p-pci"
		if m == Microvm {
			device = "virtio-9p-device"
		}
		for _, want := range []string{
			"-fsdev local,id=share0,path=/h/a,,b,security_model=none -device " + device + ",fsdev=share0,mount_tag=share0",
			"-fsdev local,id=share1,path=/h/c,security_model=none,readonly=on -device " + device + ",fsdev=share1,mount_tag=share1",
		} {
			if !strings.Contains(args, want) {
				t.Errorf("%s: args %q lack %q", m, args, want)
			}
		}
	}
	if !slices.Equal(sharesArgs(nil, Microvm), nil) {
		t.Error("no shares, but arguments")
	}
}
