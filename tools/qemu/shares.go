package qemu

import (
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// Share is a host directory shared into the guest over virtio-9p
// (coracle run -v HOSTDIR:GUESTDIR[:ro]).
type Share struct {
	HostDir  string
	GuestDir string // absolute and clean, not "/"
	ReadOnly bool
}

// ParseShare parses -v HOSTDIR:GUESTDIR[:ro].
func ParseShare(v string) (Share, error) {
	parts := strings.Split(v, ":")
	s := Share{}
	switch {
	case len(parts) == 3 && parts[2] == "ro":
		s.ReadOnly = true
	case len(parts) == 3 && parts[2] == "rw":
	case len(parts) != 2:
		return s, fmt.Errorf("-v %s: want HOSTDIR:GUESTDIR or HOSTDIR:GUESTDIR:ro, e.g. -v ./data:/data (no ':' in either path)", v)
	}
	s.HostDir, s.GuestDir = parts[0], parts[1]
	if s.HostDir == "" {
		return s, fmt.Errorf("-v %s: name the host directory before the ':'", v)
	}
	if !path.IsAbs(s.GuestDir) || path.Clean(s.GuestDir) == "/" {
		return s, fmt.Errorf("-v %s: the guest directory must be absolute and not / itself, e.g. %s:/data", v, s.HostDir)
	}
	s.GuestDir = path.Clean(s.GuestDir)
	if fi, err := os.Stat(s.HostDir); err != nil {
		return s, fmt.Errorf("-v %s: %v: name an existing directory", v, err)
	} else if !fi.IsDir() {
		return s, fmt.Errorf("-v %s: %s is not a directory", v, s.HostDir)
	}
	return s, nil
}

// shareTag is the virtio-9p mount tag of the i-th share.
func shareTag(i int) string { return fmt.Sprintf("share%d", i) }

// sharesArgs returns the QEMU options for shares on machine m: a 9P
// file system device for each, in the order the guest numbers them
// (virtio-mmio devices on microvm, whose words QEMU adds to the command
// line; PCI functions otherwise). QEMU writes new files as the user it
// runs as (security_model=none).
func sharesArgs(list []Share, m Machine) []string {
	var args []string
	for i, s := range list {
		fsdev := "local,id=" + shareTag(i) + ",path=" + strings.ReplaceAll(s.HostDir, ",", ",,") + ",security_model=none"
		if s.ReadOnly {
			fsdev += ",readonly=on"
		}
		device := "virtio-9p-pci"
		if m == Microvm {
			device = "virtio-9p-device"
		}
		args = append(args, "-fsdev", fsdev, "-device", device+",fsdev="+shareTag(i)+",mount_tag="+shareTag(i))
	}
	return args
}

// ShareWords returns the kernel command-line words that mount the
// shares: coracle.share=TAG:GUESTDIR[:ro] (kernel/abi/shares).
func ShareWords(list []Share) []string {
	var words []string
	for i, s := range list {
		w := cmdline.EncodeWord(shares.Key, shareTag(i)+":"+s.GuestDir)
		if s.ReadOnly {
			w += ":ro"
		}
		words = append(words, w)
	}
	return words
}
