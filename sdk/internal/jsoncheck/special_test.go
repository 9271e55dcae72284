package jsoncheck

import (
	"encoding/binary"
	"testing"
)

// special agrees with the byte table on every byte value in every lane,
// over backgrounds of plain bytes that borrow or do not.
func TestSpecialMatchesTable(t *testing.T) {
	for _, background := range []byte{'a', 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xff} {
		for lane := 0; lane < 8; lane++ {
			for c := 0; c < 256; c++ {
				var w [8]byte
				for i := range w {
					w[i] = background
				}
				w[lane] = byte(c)
				want := false
				for _, b := range w {
					want = want || !plain[b]
				}
				if got := special(binary.LittleEndian.Uint64(w[:])); got != want {
					t.Fatalf("special(% x) = %v, want %v", w, got, want)
				}
			}
		}
	}
}
