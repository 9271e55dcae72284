package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hookpoint/hookpoint/internal/record"
)

// storedAttachment is how an attachment is described in a message's
// attachments column.
type storedAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

// AddInboxMessage stores a message with its files (group-committed) and
// returns its id.
func (s *Store) AddInboxMessage(ctx context.Context, m record.Message) (int64, error) {
	var id int64
	err := s.Do(ctx, func(tx *Tx) error {
		var err error
		id, err = AddInboxMessageTx(ctx, tx, m)
		return err
	})
	return id, err
}

// SaveInboxMessageTx stores a message in tx, like AddInboxMessageTx, for a
// caller that needs no id: a message without files is a deferred
// statement (see Tx.Defer).
func SaveInboxMessageTx(ctx context.Context, tx *Tx, m record.Message) error {
	if len(m.Attachments) > 0 {
		_, err := AddInboxMessageTx(ctx, tx, m)
		return err
	}
	if err := tx.DeferRow(ctx, insertInboxMessagesSQL, m.ChatKey, m.Plugin, m.Text, time.Now().UnixMicro()); err != nil {
		return fmt.Errorf("storing inbox message for %s: %w", m.ChatKey, err)
	}
	return nil
}

// insertInboxMessagesSQL inserts messages without attachments: the
// completions of a group commit write theirs in a few statements.
var insertInboxMessagesSQL = NewMultiRowSQL(func(n int) string {
	return `INSERT INTO inbox_messages (chat_key, plugin, text, attachments, created_at) VALUES ` + ValuesList("(?, ?, ?, '[]', ?)", n)
})

// AddInboxMessageTx stores a message inside tx.
func AddInboxMessageTx(ctx context.Context, tx *Tx, m record.Message) (int64, error) {
	chatKey, files := m.ChatKey, m.Attachments
	meta := make([]storedAttachment, len(files))
	for i, f := range files {
		meta[i] = storedAttachment{Name: f.Name, ContentType: f.ContentType, Size: len(f.Data)}
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return 0, fmt.Errorf("encoding attachments: %w", err)
	}
	var id int64
	if err := tx.QueryRow(ctx,
		`INSERT INTO inbox_messages (chat_key, plugin, text, attachments, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		chatKey, m.Plugin, m.Text, string(metaJSON), time.Now().UnixMicro()).Scan(&id); err != nil {
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
func (s *Store) InboxMessages(ctx context.Context, chatKey string, after int64, limit int) ([]record.Message, error) {
	rows, err := s.read.QueryContext(ctx, s.Q(
		`SELECT id, chat_key, plugin, text, attachments, created_at FROM inbox_messages
		 WHERE chat_key = ? AND id > ? ORDER BY id LIMIT ?`), chatKey, after, limit)
	if err != nil {
		return nil, fmt.Errorf("listing inbox messages of %s: %w", chatKey, err)
	}
	defer rows.Close()
	out := []record.Message{}
	for rows.Next() {
		var m record.Message
		var meta string
		var created int64
		if err := rows.Scan(&m.ID, &m.ChatKey, &m.Plugin, &m.Text, &meta, &created); err != nil {
			return nil, fmt.Errorf("reading inbox message: %w", err)
		}
		var atts []storedAttachment
		if err := json.Unmarshal([]byte(meta), &atts); err != nil {
			return nil, fmt.Errorf("decoding attachments of message %d: %w", m.ID, err)
		}
		for _, a := range atts {
			m.Attachments = append(m.Attachments, record.Attachment{Name: a.Name, ContentType: a.ContentType, Size: a.Size})
		}
		m.CreatedAt = time.UnixMicro(created).UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing inbox messages of %s: %w", chatKey, err)
	}
	return out, nil
}

// InboxFile returns attachment idx of message id, with its data.
func (s *Store) InboxFile(ctx context.Context, messageID int64, idx int) (*record.Attachment, error) {
	var f record.Attachment
	err := s.read.QueryRowContext(ctx, s.Q(
		`SELECT name, content_type, data FROM inbox_files WHERE message_id = ? AND idx = ?`), messageID, idx).
		Scan(&f.Name, &f.ContentType, &f.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading attachment %d of message %d: %w", idx, messageID, err)
	}
	f.Size = len(f.Data)
	return &f, nil
}

// InboxChats lists the chats that have inbox messages.
func (s *Store) InboxChats(ctx context.Context) ([]record.Chat, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT chat_key, COUNT(*), MAX(created_at) FROM inbox_messages GROUP BY chat_key ORDER BY chat_key`)
	if err != nil {
		return nil, fmt.Errorf("listing inbox chats: %w", err)
	}
	defer rows.Close()
	out := []record.Chat{}
	for rows.Next() {
		var c record.Chat
		var last int64
		if err := rows.Scan(&c.ChatKey, &c.Messages, &last); err != nil {
			return nil, fmt.Errorf("reading inbox chat: %w", err)
		}
		c.LastMessageAt = time.UnixMicro(last).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// PruneMessages deletes the inbox messages, with their files, created
// before cutoff, and returns how many.
func (s *Store) PruneMessages(ctx context.Context, cutoff time.Time) (int64, error) {
	n, err := s.prune(ctx, "inbox_messages", "", `created_at < ?`, cutoff.UnixMicro())
	if err != nil {
		return n, fmt.Errorf("pruning inbox messages: %w", err)
	}
	return n, nil
}
