package gguf

import (
	"errors"
	"fmt"
	"io"
)

// ErrNeedMore is wrapped by ReadHeader's error when the prefix ends before
// the header does: read more of the file and try again.
var ErrNeedMore = errors.New("gguf: header extends past the bytes read so far")

// prefixReader serves the first bytes of a longer file.
type prefixReader []byte

func (p prefixReader) ReadAt(b []byte, off int64) (int, error) {
	if off >= int64(len(p)) {
		return 0, ErrNeedMore
	}
	n := copy(b, p[off:])
	if n < len(b) {
		return n, ErrNeedMore
	}
	return n, nil
}

// ReadHeader parses metadata and tensor infos from the first bytes of a
// file of the given total size, so a host streaming a model in can check it
// (architecture, memory need) before holding all of it. The File it returns
// has no tensor data: Data fails on it.
func ReadHeader(prefix []byte, size int64) (*File, error) {
	if int64(len(prefix)) > size {
		return nil, fmt.Errorf("gguf: prefix of %d bytes is longer than the file (%d)", len(prefix), size)
	}
	f, err := Read(prefixReader(prefix), size)
	if err != nil {
		if errors.Is(err, ErrNeedMore) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w (%d of %d bytes)", ErrNeedMore, len(prefix), size)
		}
		return nil, err
	}
	f.r = prefixReader(nil)
	return f, nil
}
