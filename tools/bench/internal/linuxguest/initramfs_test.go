package linuxguest

import (
	"strings"
	"testing"
)

func TestInitramfs(t *testing.T) {
	fs := Initramfs{
		Init: []byte("init program"),
		Files: []File{
			{Path: "lib/modules/virtio.ko", Perm: 0o644, Data: []byte("ko")},
			{Path: "httpd", Perm: 0o755, Data: []byte("server")},
			{Path: "lib/modules/failover.ko", Perm: 0o644, Data: []byte("ko2")},
		},
	}
	b, err := fs.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range readCPIO(t, b) {
		got = append(got, e.name)
		if e.name == "init" && (e.data != "init program" || e.mode != 0o100755) {
			t.Errorf("init: %+v", e)
		}
		if e.name == "lib/modules" && e.mode != 0o040755 {
			t.Errorf("lib/modules: mode %o", e.mode)
		}
	}
	want := "dev dev/console init httpd lib lib/modules lib/modules/failover.ko lib/modules/virtio.ko " + cpioTrailer
	if strings.Join(got, " ") != want {
		t.Errorf("entries %s\nwant    %s", strings.Join(got, " "), want)
	}

	for _, bad := range []string{"/etc/passwd", "../x", "init", "dev/console", ".", "httpd"} {
		fs := Initramfs{Init: []byte("x"), Files: []File{{Path: "httpd", Perm: 0o755}, {Path: bad, Perm: 0o644}}}
		if _, err := fs.Bytes(); err == nil {
			t.Errorf("file path %q accepted", bad)
		}
	}
}
