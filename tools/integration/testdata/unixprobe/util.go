package main

import (
	"os"
	"os/signal"
	"syscall"
	"unsafe"
)

func unsafePtr[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }

func signalNotify(c chan os.Signal) { signal.Notify(c, syscall.SIGPIPE) }

func signalStop(c chan os.Signal) { signal.Stop(c) }
