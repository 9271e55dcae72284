package store

import (
	"fmt"

	"github.com/klauspost/compress/s2"
)

// Body codecs, in delivery_payloads.codec.
const (
	codecRaw = ""   // stored as received
	codecS2  = "s2" // an S2 block (github.com/klauspost/compress/s2)
)

// Bodies shorter than minCompress are stored as received; so is a body
// that S2 does not shrink by at least an eighth.
const minCompress = 512

// maxDecoded bounds the size a stored block may claim, so a damaged row
// cannot make a reader allocate without limit.
const maxDecoded = 1 << 30

// encodeBody returns the codec and bytes a body is stored with: JSON
// payloads compress well and fast, so fewer pages are written, logged and
// checkpointed for every delivery.
func encodeBody(body []byte) (string, []byte) {
	if body == nil {
		return codecRaw, []byte{} // no body is an empty one, not NULL
	}
	if len(body) < minCompress {
		return codecRaw, body
	}
	enc := s2.Encode(nil, body)
	if len(enc) > len(body)-len(body)/8 {
		return codecRaw, body
	}
	return codecS2, enc
}

// decodeBody returns the body stored with codec.
func decodeBody(codec string, stored []byte) ([]byte, error) {
	switch codec {
	case codecRaw:
		return stored, nil
	case codecS2:
		n, err := s2.DecodedLen(stored)
		if err != nil {
			return nil, fmt.Errorf("decoding body: %w", err)
		}
		if n > maxDecoded {
			return nil, fmt.Errorf("decoding body: claims %d bytes", n)
		}
		body, err := s2.Decode(make([]byte, n), stored)
		if err != nil {
			return nil, fmt.Errorf("decoding body: %w", err)
		}
		return body, nil
	}
	return nil, fmt.Errorf("decoding body: unknown codec %q", codec)
}
