package sdk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MultipartOpts limits what [Request.Multipart] accepts. Zero fields
// take their defaults.
type MultipartOpts struct {
	// MaxFiles is the largest number of files. Defaults to 16.
	MaxFiles int
	// MaxFileBytes is the largest size of one file. Defaults to the whole
	// body limit.
	MaxFileBytes int64
	// MaxTotalBytes is the largest size of all files together. Defaults
	// to the whole body limit.
	MaxTotalBytes int64
	// MaxFields is the largest number of non-file fields. Defaults to 256.
	MaxFields int
}

// Multipart is a parsed multipart/form-data body.
type Multipart struct {
	// Value holds the non-file fields.
	Value url.Values
	// File holds the files by field name.
	File map[string][]*File
}

// FirstFile returns the first file of a field, or nil.
func (m *Multipart) FirstFile(field string) *File {
	if fs := m.File[field]; len(fs) > 0 {
		return fs[0]
	}
	return nil
}

// File is an uploaded file.
type File struct {
	// Field is the form field name.
	Field string
	// Filename is the sanitised file name: no directories, no control
	// characters, never "." or "..".
	Filename string
	// OriginalFilename is the name the client sent, directories and all;
	// never use it as a path.
	OriginalFilename string
	// ContentType is the part's media type, lower case, or "".
	ContentType string
	// Header is the part's MIME header.
	Header textproto.MIMEHeader
	// Data holds the file's bytes.
	Data []byte
}

// Size returns the file's size in bytes.
func (f *File) Size() int64 { return int64(len(f.Data)) }

// Save writes the file into dir (created if missing) under its sanitised
// name, adding a numeric suffix rather than overwriting an existing file,
// and returns the path written.
func (f *File) Save(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("creating upload directory: %w", err)
	}
	ext := filepath.Ext(f.Filename)
	stem := strings.TrimSuffix(f.Filename, ext)
	for i := 0; i < 1000; i++ {
		name := f.Filename
		if i > 0 {
			name = stem + "-" + strconv.Itoa(i) + ext
		}
		path := filepath.Join(dir, name)
		fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("saving upload: %w", err)
		}
		if _, err := fh.Write(f.Data); err != nil {
			fh.Close()
			os.Remove(path)
			return "", fmt.Errorf("saving upload: %w", err)
		}
		if err := fh.Close(); err != nil {
			return "", fmt.Errorf("saving upload: %w", err)
		}
		return path, nil
	}
	return "", fmt.Errorf("saving upload: too many files named %q", f.Filename)
}

// SanitizeFilename turns a client-supplied file name into one that is safe
// to use inside a directory: the last path element only (either slash),
// no control or reserved characters, at most 200 bytes (keeping a short
// extension), and never empty, "." or "..".
func SanitizeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), strings.ContainsRune(`<>:"|?*`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.TrimSpace(b.String())
	name = strings.TrimLeft(name, ".")
	if len(name) > 200 {
		ext := filepath.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		stem := strings.TrimSuffix(name, ext)
		for len(stem)+len(ext) > 200 {
			_, size := utf8.DecodeLastRuneInString(stem)
			stem = stem[:len(stem)-size]
		}
		name = stem + ext
	}
	if name == "" {
		return "upload"
	}
	return name
}

// Multipart parses a multipart/form-data body within opts' limits. Another
// content type is an [HTTPError] with status 415, a malformed body 400,
// and a body over a limit 413.
func (r *Request) Multipart(opts MultipartOpts) (*Multipart, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, Errorf(http.StatusUnsupportedMediaType, "expected Content-Type multipart/form-data, got %q", r.Header.Get("Content-Type"))
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, Error(http.StatusBadRequest, "multipart body has no boundary parameter")
	}
	opts = opts.withDefaults(int64(len(r.Body)))
	m := &Multipart{Value: url.Values{}, File: map[string][]*File{}}
	mr := multipart.NewReader(bytes.NewReader(r.Body), boundary)
	var files, fields int
	var total int64
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &HTTPError{Status: http.StatusBadRequest, Detail: "malformed multipart body: " + err.Error(), Err: err}
		}
		field := part.FormName()
		if field == "" {
			continue
		}
		if part.FileName() == "" {
			fields++
			if fields > opts.MaxFields {
				return nil, Errorf(http.StatusRequestEntityTooLarge, "multipart body has more than %d fields", opts.MaxFields)
			}
			v, err := io.ReadAll(part)
			if err != nil {
				return nil, &HTTPError{Status: http.StatusBadRequest, Detail: "malformed multipart body: " + err.Error(), Err: err}
			}
			m.Value.Add(field, string(v))
			continue
		}
		files++
		if files > opts.MaxFiles {
			return nil, Errorf(http.StatusRequestEntityTooLarge, "multipart body has more than %d files", opts.MaxFiles)
		}
		data, err := io.ReadAll(io.LimitReader(part, opts.MaxFileBytes+1))
		if err != nil {
			return nil, &HTTPError{Status: http.StatusBadRequest, Detail: "malformed multipart body: " + err.Error(), Err: err}
		}
		if int64(len(data)) > opts.MaxFileBytes {
			return nil, Errorf(http.StatusRequestEntityTooLarge, "file %q in field %q is larger than %d bytes", SanitizeFilename(part.FileName()), field, opts.MaxFileBytes)
		}
		total += int64(len(data))
		if total > opts.MaxTotalBytes {
			return nil, Errorf(http.StatusRequestEntityTooLarge, "uploaded files are larger than %d bytes in total", opts.MaxTotalBytes)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		original := part.FileName()
		if _, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
			original = params["filename"]
		}
		m.File[field] = append(m.File[field], &File{
			Field:            field,
			Filename:         SanitizeFilename(original),
			OriginalFilename: original,
			ContentType:      ct,
			Header:           part.Header,
			Data:             data,
		})
	}
	return m, nil
}

func (o MultipartOpts) withDefaults(bodyLen int64) MultipartOpts {
	if o.MaxFiles <= 0 {
		o.MaxFiles = 16
	}
	if o.MaxFields <= 0 {
		o.MaxFields = 256
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = bodyLen
	}
	if o.MaxTotalBytes <= 0 {
		o.MaxTotalBytes = bodyLen
	}
	return o
}
