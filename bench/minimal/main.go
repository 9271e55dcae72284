// Command minimal is the benchmark's reference server: the seed's GitHub
// handler with no storage. It verifies X-Hub-Signature-256 over the raw
// body, decodes the push payload with encoding/json, builds the
// notification text and answers 200 JSON. Standard library only.
//
//	GITHUB_WEBHOOK_SECRET=s3cret minimal -listen 127.0.0.1:18080
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
)

type commit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

type pushEvent struct {
	Ref        string   `json:"ref"`
	Commits    []commit `json:"commits"`
	HeadCommit *commit  `json:"head_commit"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
	Pusher struct {
		Name string `json:"name"`
	} `json:"pusher"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:18080", "address to listen on")
	flag.Parse()
	secret := []byte(os.Getenv("GITHUB_WEBHOOK_SECRET"))
	if len(secret) == 0 {
		log.Fatal("GITHUB_WEBHOOK_SECRET is required")
	}
	http.HandleFunc("POST /api/plugin/hookpoint.github/webhook/github", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 25<<20))
		if err != nil {
			http.Error(w, `{"detail":"reading body"}`, http.StatusBadRequest)
			return
		}
		sig, ok := strings.CutPrefix(r.Header.Get("X-Hub-Signature-256"), "sha256=")
		got, herr := hex.DecodeString(sig)
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		if !ok || herr != nil || !hmac.Equal(got, mac.Sum(nil)) {
			http.Error(w, `{"detail":"invalid signature"}`, http.StatusForbidden)
			return
		}
		event := r.Header.Get("X-GitHub-Event")
		var text string
		if event == "push" {
			var e pushEvent
			if err := json.Unmarshal(body, &e); err != nil {
				http.Error(w, `{"detail":"invalid JSON payload"}`, http.StatusBadRequest)
				return
			}
			latest := ""
			if e.HeadCommit != nil {
				latest, _, _ = strings.Cut(strings.TrimSpace(e.HeadCommit.Message), "\n")
			}
			text = fmt.Sprintf("📦 Push to %s\nPusher: %s\nBranch: %s\nCommits: %d\nLatest: %s",
				e.Repository.FullName, e.Pusher.Name, strings.TrimPrefix(e.Ref, "refs/heads/"), len(e.Commits), latest)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"status":  "success",
			"message": fmt.Sprintf("Event '%s' received and acknowledged.", event),
			"length":  len(text), // the text is built; a real seed would send it to a chat
		})
	})
	log.Fatal(http.ListenAndServe(*listen, nil))
}
