package pagecache

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/internal/fakepages"
)

type fakePages = fakepages.Pages

func newFakePages(t testing.TB, limit int) *fakePages { return fakepages.New(t, limit) }
