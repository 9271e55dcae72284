package record

import "time"

// Message is a chat message a plugin sent.
type Message struct {
	ID          int64
	ChatKey     string
	Plugin      string
	Text        string
	Attachments []Attachment
	CreatedAt   time.Time
}

// Attachment is a file sent with a message. Listings leave Data nil.
type Attachment struct {
	Name        string
	ContentType string
	Size        int
	Data        []byte
}

// Chat summarises the messages of one chat.
type Chat struct {
	ChatKey       string
	Messages      int64
	LastMessageAt time.Time
}
