package pipe

import (
	"bytes"
	"testing"
)

// TestFIFOPipe: a FIFO's pipe starts with no end; ends come and go as
// opens and closes add and drop them; data written with a reader and a
// writer open flows; the last end to close releases the pipe, and Drop
// releases one no end ever held, but not one in use.
func TestFIFOPipe(t *testing.T) {
	p, mem := newPipe()
	pages := *p.Pages()
	p.InitFIFO(&pages)
	if !p.InUse() || p.Readers() != 0 || p.Writers() != 0 || p.Len() != 0 {
		t.Fatalf("fresh FIFO pipe: inuse %v ends %d/%d len %d", p.InUse(), p.Readers(), p.Writers(), p.Len())
	}
	if *p.Pages() != pages {
		t.Fatal("InitFIFO did not keep the pages")
	}
	if r := p.CanRead(); r != EOF {
		t.Errorf("read with no writer: %v, want EOF", r)
	}
	if _, r := p.CanWrite(1); r != Broken {
		t.Errorf("write with no reader: %v, want Broken", r)
	}
	p.AddReader()
	p.AddWriter()
	if p.Drop() {
		t.Fatal("Drop released a pipe with ends open")
	}
	if _, r := write(p, mem, []byte("fifo")); r != OK {
		t.Fatalf("write: %v", r)
	}
	if p.CloseWriter() {
		t.Fatal("the writer's close released the pipe with a reader open")
	}
	if b, r := read(p, mem, 10); r != OK || !bytes.Equal(b, []byte("fifo")) {
		t.Errorf("read %q %v", b, r)
	}
	if r := p.CanRead(); r != EOF {
		t.Errorf("read after the writer closed: %v, want EOF", r)
	}
	if !p.CloseReader() || p.InUse() {
		t.Fatal("the last close did not release the pipe")
	}

	p.InitFIFO(&pages)
	if !p.Drop() || p.InUse() {
		t.Error("Drop kept a FIFO pipe no end held")
	}
}
