package linux

// Pipes (pipe(7); include/uapi/linux/limits.h for PIPE_BUF,
// include/uapi/asm-generic/fcntl.h for O_DIRECT,
// include/uapi/linux/stat.h for S_IFIFO).
const (
	// PIPE_BUF is the largest write to a pipe that is atomic: it is
	// never split, nor interleaved with another writer's data.
	PIPE_BUF = 4096
	// O_DIRECT, given to pipe2, asks for packet mode.
	O_DIRECT = 0x4000
	S_IFIFO  = 0o010000
)
