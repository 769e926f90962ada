package compat

// Package is one entry of the compatibility suite: an import path that
// `go test` accepts and what its guest needs beyond the defaults.
type Package struct {
	Path string
	// Area says what kind of code it is, for the table.
	Area string
	// MemoryMiB is the guest's memory (coracle test -m); 0 means
	// DefaultMemoryMiB.
	MemoryMiB int
	// RunsPrograms names tests that run another program but ignore the
	// error of starting it, so their output does not show it (read
	// from their source); a failure of theirs counts as one that runs
	// a program.
	RunsPrograms []string
}

// DefaultMemoryMiB is each guest's memory unless a package says
// otherwise: more than coracle test's 512 MiB default, because several
// suites allocate hundreds of MiB at once (compressors' windows, large
// test vectors).
const DefaultMemoryMiB = 1024

// List is the suite: widely used third-party modules (their versions are
// in tools/compat/suite/go.mod) and a selection of the standard
// library's own package tests.
var List = []Package{
	// Data structures.
	{Path: "github.com/google/btree", Area: "data structures"},
	{Path: "github.com/emirpasic/gods/trees/redblacktree", Area: "data structures"},
	{Path: "github.com/hashicorp/golang-lru/v2", Area: "data structures"},
	{Path: "github.com/bits-and-blooms/bitset", Area: "data structures"},
	{Path: "github.com/google/go-cmp/cmp", Area: "data structures"},
	// Encoding.
	{Path: "gopkg.in/yaml.v3", Area: "encoding"},
	{Path: "github.com/BurntSushi/toml", Area: "encoding"},
	{Path: "github.com/google/uuid", Area: "encoding"},
	{Path: "github.com/tidwall/gjson", Area: "encoding"},
	{Path: "github.com/dustin/go-humanize", Area: "encoding"},
	{Path: "github.com/pkg/errors", Area: "errors"},
	{Path: "github.com/sirupsen/logrus", Area: "logging"},
	// Compression and hashing.
	{Path: "github.com/klauspost/compress/flate", Area: "compression"},
	{Path: "github.com/klauspost/compress/zstd", Area: "compression", MemoryMiB: 2048},
	{Path: "github.com/golang/snappy", Area: "compression"},
	{Path: "github.com/pierrec/lz4/v4", Area: "compression"},
	{Path: "github.com/cespare/xxhash/v2", Area: "hashing"},
	// Cryptography.
	{Path: "golang.org/x/crypto/chacha20poly1305", Area: "crypto"},
	{Path: "golang.org/x/crypto/bcrypt", Area: "crypto"},
	{Path: "golang.org/x/crypto/ssh", Area: "crypto"},
	// HTTP.
	{Path: "github.com/go-chi/chi/v5", Area: "HTTP router"},
	{Path: "github.com/gorilla/mux", Area: "HTTP router"},
	{Path: "golang.org/x/net/http2", Area: "HTTP/2"},
	// Embedded database: its largest test allocates a 2 GiB value.
	{Path: "go.etcd.io/bbolt", Area: "database", MemoryMiB: 3072},
	// Concurrency.
	{Path: "golang.org/x/sync/errgroup", Area: "concurrency"},
	{Path: "golang.org/x/sync/semaphore", Area: "concurrency"},
	// The standard library.
	{Path: "strings", Area: "std"},
	{Path: "bytes", Area: "std"},
	{Path: "sort", Area: "std"},
	{Path: "container/list", Area: "std"},
	{Path: "container/heap", Area: "std"},
	{Path: "container/ring", Area: "std"},
	{Path: "encoding/json", Area: "std"},
	{Path: "encoding/binary", Area: "std"},
	{Path: "compress/gzip", Area: "std"},
	{Path: "crypto/sha256", Area: "std"},
	{Path: "crypto/aes", Area: "std"},
	{Path: "math/big", Area: "std"},
	{Path: "regexp", Area: "std"},
	{Path: "time", Area: "std"},
	// TestIssue76126 runs its own binary with exec.Command and ignores
	// Run's error; it fails on the missing child's output.
	{Path: "sync", Area: "std", RunsPrograms: []string{"TestIssue76126"}},
	{Path: "context", Area: "std"},
	{Path: "bufio", Area: "std"},
	{Path: "io", Area: "std"},
	{Path: "os", Area: "std"},
	{Path: "path/filepath", Area: "std"},
	{Path: "net/http", Area: "std", MemoryMiB: 2048},
}
