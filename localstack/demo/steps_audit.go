package demo

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/keyward/keyward/shared/audit"
)

func (w *Walk) whoDecrypted(ctx context.Context) error {
	// Failures and control-plane calls are stored one by one: the API shows them.
	var a struct {
		Events []struct {
			Time      time.Time `json:"time"`
			Name      string    `json:"name"`
			Principal string    `json:"principal"`
			ErrorCode string    `json:"errorCode"`
		} `json:"events"`
	}
	if _, err := w.api.call(ctx, http.MethodGet, "/v1/audit?resource="+w.Alias, nil, http.StatusOK, &a); err != nil {
		return err
	}
	w.say("GET /v1/audit?resource=%s (newest first):", w.Alias)
	for _, e := range a.Events {
		outcome := "ok"
		if e.ErrorCode != "" {
			outcome = e.ErrorCode
		}
		w.say("  %s  %-22s %-20s %s", e.Time.Format(time.TimeOnly), e.Name, outcome, e.Principal)
	}
	// Successful Decrypts are counted per principal and network: the audit read API.
	store := audit.NewStore(dynamodb.NewFromConfig(w.aws), audit.StoreConfig{Table: w.cfg.Env.TableName()})
	w.Decrypters = map[string]int64{}
	var failed int64
	err := poll(ctx, 20*time.Second, 250*time.Millisecond, func() (bool, error) {
		us, err := store.Usage(ctx, w.KeyARN, w.start, time.Now().Add(time.Minute))
		if err != nil {
			return false, err
		}
		clear(w.Decrypters)
		failed = 0
		for _, u := range us {
			if u.Operation != "Decrypt" {
				continue
			}
			if u.Outcome == audit.OutcomeOK {
				w.Decrypters[u.Principal] += u.N
			} else {
				failed += u.N
			}
		}
		return len(w.Decrypters) > 0 && failed > 0, nil
	})
	if err != nil {
		return fmt.Errorf("usage of %s: want successful and failed Decrypts: %w (have %v, %d failed)", w.KeyARN, err, w.Decrypters, failed)
	}
	who := make([]string, 0, len(w.Decrypters))
	for p, n := range w.Decrypters {
		who = append(who, fmt.Sprintf("%s ×%d", p, n))
	}
	sort.Strings(who)
	w.say("who decrypted %s: %s; %d failed Decrypt(s)", w.Alias, strings.Join(who, ", "), failed)
	return nil
}
