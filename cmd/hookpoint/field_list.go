package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// fieldList writes aligned "name:  value" lines for a readable view of one
// record, leaving out empty values and zero numbers.
type fieldList struct{ tw *tabwriter.Writer }

func newFieldList(w io.Writer) *fieldList {
	return &fieldList{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
}

// add writes one field, unless v is "" or "0".
func (f *fieldList) add(name, v string) {
	if v != "" && v != "0" {
		fmt.Fprintf(f.tw, "%s:\t%s\n", name, v)
	}
}

// flush writes the aligned lines.
func (f *fieldList) flush() error { return f.tw.Flush() }
