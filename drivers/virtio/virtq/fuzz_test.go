package virtq

import "testing"

// FuzzQueue drives a queue and the fake device with random operations
// and checks every result against a model: which chains the device
// holds, which it has returned, how many descriptors are free, whether
// the driver must notify, and whether the device must (or must not)
// interrupt.
//
// Input: byte 0 picks the queue (size 1 to 16, legacy, event index);
// each later byte is an operation (low 3 bits) and its argument.
func FuzzQueue(f *testing.F) {
	f.Add([]byte{0x02, 0x00, 0x08, 0x01, 0x02, 0x04, 0x00, 0x01, 0x03, 0x04})
	f.Add([]byte{0x13, 0x18, 0x00, 0x00, 0x01, 0x07, 0x0f, 0x05, 0x03, 0x06, 0x04, 0x06, 0x12})
	f.Add([]byte{0x0c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x12, 0x02, 0x04, 0x07, 0x17, 0x00, 0x0f})
	f.Add([]byte{0x10, 0x00, 0x01, 0x03, 0x05, 0x00, 0x01, 0x02, 0x06, 0x04, 0x00, 0x01, 0x03, 0x04, 0x0f})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		size := uint16(1) << (in[0] % 5)
		legacy, eventIdx := in[0]&0x08 != 0, in[0]&0x10 != 0
		in = in[1:]
		if len(in) > 4096 {
			in = in[:4096] // well short of 65535 completions while disabled
		}
		g := newRig(t, size, legacy, eventIdx)
		q, d := g.q, g.d

		var (
			chains     = map[uint16][]Buffer{} // added, not yet returned by Used
			free       = int(size)
			held       []uint16 // popped by the device, not completed
			completed  []used   // completed, not yet taken by Used
			availIdx   uint16   // chains added
			unnotified int      // chains added since NeedsNotify
			noNotify   bool     // device's VIRTQ_USED_F_NO_NOTIFY
			availEvent uint16   // device's avail_event
			enabled    = true   // driver's interrupts
			armed      = true   // the next completion must interrupt
			elems      = make([]elem, size)
			tag        uint64
		)
		// completeOne has the device return held[i], checking its
		// interrupt decision.
		completeOne := func(i int) {
			h := held[i]
			held = append(held[:i], held[i+1:]...)
			e := used{h, uint32(h) * 3}
			irq := d.complete(e)
			if armed && !irq {
				t.Fatalf("no interrupt for the first completion after the driver armed interrupts")
			}
			if !enabled && irq {
				t.Fatalf("interrupt while interrupts are disabled")
			}
			armed = false
			completed = append(completed, e)
		}

		for _, op := range in {
			arg := int(op >> 3)
			switch op & 7 {
			case 0, 1: // Add a chain of 1-4 buffers, the last k writable
				n := 1 + arg%4
				k := (arg >> 2) % (n + 1)
				bufs := make([]Buffer, n)
				for i := range bufs {
					tag++
					bufs[i] = Buffer{Phys: tag << 12, Len: uint32(tag), DeviceWrites: i >= n-k}
				}
				head, ok := q.Add(bufs)
				if ok != (n <= free) {
					t.Fatalf("Add of %d with %d free: ok %v", n, free, ok)
				}
				if !ok {
					break
				}
				if _, dup := chains[head]; dup {
					t.Fatalf("Add returned head %d, which is still out", head)
				}
				chains[head] = bufs
				free -= n
				availIdx++
				unnotified++
			case 2: // the device takes every available chain
				for {
					head, chain, ok, err := d.pop(elems)
					if err != nil {
						t.Fatalf("device: %v", err)
					}
					if !ok {
						break
					}
					bufs, out := chains[head]
					if !out {
						t.Fatalf("device got head %d, which Add did not return", head)
					}
					checkChain(t, chain, bufs)
					held = append(held, head)
				}
			case 3: // the device completes one held chain, any of them
				if len(held) > 0 {
					completeOne(arg % len(held))
				}
			case 4: // ... or all of them, last taken first, in one batch
				if len(held) == 0 {
					break
				}
				var batch []used
				for i := len(held) - 1; i >= 0; i-- {
					batch = append(batch, used{held[i], uint32(held[i]) * 3})
				}
				held = held[:0]
				if irq := d.complete(batch...); armed && !irq || !enabled && irq {
					t.Fatalf("batch completion: interrupt %v, armed %v, enabled %v", irq, armed, enabled)
				}
				armed = false
				completed = append(completed, batch...)
			case 5: // the driver takes back everything returned
				for {
					head, n, ok := q.Used()
					if !ok {
						break
					}
					if len(completed) == 0 || head != completed[0].id || n != completed[0].len {
						t.Fatalf("Used = %d %d, device returned %v", head, n, completed)
					}
					completed = completed[1:]
					free += len(chains[head])
					delete(chains, head)
				}
				if len(completed) != 0 {
					t.Fatalf("Used stopped with %d entries returned", len(completed))
				}
				if enabled {
					armed = true
				}
			case 6: // interrupts off or on
				if arg%2 == 0 {
					q.DisableInterrupts()
					enabled, armed = false, false
				} else {
					pending := q.EnableInterrupts()
					if pending != (len(completed) > 0) {
						t.Fatalf("EnableInterrupts = %v with %d entries returned", pending, len(completed))
					}
					enabled, armed = true, !pending
				}
			case 7: // the device changes its notification hints, or the driver asks
				switch arg % 4 {
				case 0:
					noNotify = !noNotify
					d.setNoNotify(noNotify)
				case 1:
					availEvent = d.lastAvail + uint16(arg/4)
					d.setAvailEvent(availEvent)
				default:
					var want bool
					switch {
					case unnotified == 0:
					case !eventIdx:
						want = !noNotify
					default:
						want = needEvent(availEvent, availIdx, availIdx-uint16(unnotified))
					}
					if got := q.NeedsNotify(); got != want {
						t.Fatalf("NeedsNotify = %v, want %v", got, want)
					}
					unnotified = 0
				}
			}
			if q.FreeCount() != free || q.Broken() {
				t.Fatalf("FreeCount %d, want %d; broken %v", q.FreeCount(), free, q.Broken())
			}
		}

		// Everything comes back.
		for {
			head, _, ok, err := d.pop(elems)
			if err != nil {
				t.Fatalf("device: %v", err)
			}
			if !ok {
				break
			}
			held = append(held, head)
		}
		for _, h := range held {
			d.complete(used{h, 0})
		}
		for {
			if _, _, ok := q.Used(); !ok {
				break
			}
		}
		if q.FreeCount() != int(size) {
			t.Fatalf("FreeCount %d after everything came back, want %d", q.FreeCount(), size)
		}
	})
}
