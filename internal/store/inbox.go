package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// InboxMessage is a message stored by the inbox chat adapter.
type InboxMessage struct {
	ID          int64             `json:"id"`
	ChatKey     string            `json:"chat_key"`
	Plugin      string            `json:"plugin"`
	Text        string            `json:"text"`
	Attachments []InboxAttachment `json:"attachments"`
	CreatedAt   time.Time         `json:"created_at"`
}

// InboxAttachment describes a file stored with an inbox message.
type InboxAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

// InboxFile is an attachment with its data.
type InboxFile struct {
	InboxAttachment
	Data []byte
}

// InboxChat summarises one chat of the inbox.
type InboxChat struct {
	ChatKey       string    `json:"chat_key"`
	Messages      int64     `json:"messages"`
	LastMessageAt time.Time `json:"last_message_at"`
}

// AddInboxMessage stores a message with its files (group-committed) and
// returns its id.
func (s *Store) AddInboxMessage(ctx context.Context, chatKey, plugin, text string, files []InboxFile) (int64, error) {
	var id int64
	err := s.Do(ctx, func(tx *Tx) error {
		var err error
		id, err = AddInboxMessageTx(ctx, tx, chatKey, plugin, text, files)
		return err
	})
	return id, err
}

// SaveInboxMessageTx stores a message in tx, like AddInboxMessageTx, for a
// caller that needs no id: a message without files is a deferred
// statement (see Tx.Defer).
func SaveInboxMessageTx(ctx context.Context, tx *Tx, chatKey, plugin, text string, files []InboxFile) error {
	if len(files) > 0 {
		_, err := AddInboxMessageTx(ctx, tx, chatKey, plugin, text, files)
		return err
	}
	if err := tx.DeferRow(ctx, insertInboxMessagesSQL, chatKey, plugin, text, time.Now().UnixMicro()); err != nil {
		return fmt.Errorf("storing inbox message for %s: %w", chatKey, err)
	}
	return nil
}

// insertInboxMessagesSQL inserts messages without attachments: the
// completions of a group commit write theirs in a few statements.
var insertInboxMessagesSQL = NewMultiRowSQL(func(n int) string {
	return `INSERT INTO inbox_messages (chat_key, plugin, text, attachments, created_at) VALUES ` + ValuesList("(?, ?, ?, '[]', ?)", n)
})

// AddInboxMessageTx stores a message inside tx.
func AddInboxMessageTx(ctx context.Context, tx *Tx, chatKey, plugin, text string, files []InboxFile) (int64, error) {
	meta := make([]InboxAttachment, len(files))
	for i, f := range files {
		meta[i] = f.InboxAttachment
		meta[i].Size = len(f.Data)
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return 0, fmt.Errorf("encoding attachments: %w", err)
	}
	var id int64
	if err := tx.QueryRow(ctx,
		`INSERT INTO inbox_messages (chat_key, plugin, text, attachments, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		chatKey, plugin, text, string(metaJSON), time.Now().UnixMicro()).Scan(&id); err != nil {
		return 0, fmt.Errorf("storing inbox message for %s: %w", chatKey, err)
	}
	for i, f := range files {
		if _, err := tx.Exec(ctx,
			`INSERT INTO inbox_files (message_id, idx, name, content_type, data) VALUES (?, ?, ?, ?, ?)`,
			id, i, f.Name, f.ContentType, f.Data); err != nil {
			return 0, fmt.Errorf("storing attachment of inbox message %d: %w", id, err)
		}
	}
	return id, nil
}

// InboxMessages returns up to limit messages of a chat with ids above
// after, oldest first.
func (s *Store) InboxMessages(ctx context.Context, chatKey string, after int64, limit int) ([]InboxMessage, error) {
	rows, err := s.read.QueryContext(ctx, s.Q(
		`SELECT id, chat_key, plugin, text, attachments, created_at FROM inbox_messages
		 WHERE chat_key = ? AND id > ? ORDER BY id LIMIT ?`), chatKey, after, limit)
	if err != nil {
		return nil, fmt.Errorf("listing inbox messages of %s: %w", chatKey, err)
	}
	defer rows.Close()
	out := []InboxMessage{}
	for rows.Next() {
		var m InboxMessage
		var meta string
		var created int64
		if err := rows.Scan(&m.ID, &m.ChatKey, &m.Plugin, &m.Text, &meta, &created); err != nil {
			return nil, fmt.Errorf("reading inbox message: %w", err)
		}
		if err := json.Unmarshal([]byte(meta), &m.Attachments); err != nil {
			return nil, fmt.Errorf("decoding attachments of message %d: %w", m.ID, err)
		}
		m.CreatedAt = time.UnixMicro(created).UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing inbox messages of %s: %w", chatKey, err)
	}
	return out, nil
}

// InboxFile returns attachment idx of message id.
func (s *Store) InboxFile(ctx context.Context, messageID int64, idx int) (*InboxFile, error) {
	var f InboxFile
	err := s.read.QueryRowContext(ctx, s.Q(
		`SELECT name, content_type, data FROM inbox_files WHERE message_id = ? AND idx = ?`), messageID, idx).
		Scan(&f.Name, &f.ContentType, &f.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading attachment %d of message %d: %w", idx, messageID, err)
	}
	f.Size = len(f.Data)
	return &f, nil
}

// InboxChats lists the chats that have inbox messages.
func (s *Store) InboxChats(ctx context.Context) ([]InboxChat, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT chat_key, COUNT(*), MAX(created_at) FROM inbox_messages GROUP BY chat_key ORDER BY chat_key`)
	if err != nil {
		return nil, fmt.Errorf("listing inbox chats: %w", err)
	}
	defer rows.Close()
	out := []InboxChat{}
	for rows.Next() {
		var c InboxChat
		var last int64
		if err := rows.Scan(&c.ChatKey, &c.Messages, &last); err != nil {
			return nil, fmt.Errorf("reading inbox chat: %w", err)
		}
		c.LastMessageAt = time.UnixMicro(last).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
