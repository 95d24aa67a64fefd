package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// snsMessage is one entry of the endpoint's SNS capture (GET /_keyward/sns/messages).
type snsMessage struct {
	Topic   string    `json:"topic"`
	Subject string    `json:"subject"`
	Message string    `json:"message"`
	Time    time.Time `json:"time"`
}

func (w *Walk) alarmFires(ctx context.Context) error {
	topic := fmt.Sprintf("arn:aws:sns:%s:%s:%s", w.cfg.Region, w.cfg.Account, w.cfg.Env.AlarmTopic())
	if w.cfg.WaitForSchedule {
		w.say("waiting for the alarms function's next scheduled run (every minute) …")
	} else {
		out, err := w.post(ctx, w.cfg.Endpoint+"/_keyward/alarms/run")
		if err != nil {
			return err
		}
		w.say("POST /_keyward/alarms/run (the scheduled run, now) → %s", clip(out))
	}
	timeout := 15 * time.Second
	if w.cfg.WaitForSchedule {
		timeout = 150 * time.Second
	}
	var found *snsMessage
	err := poll(ctx, timeout, 500*time.Millisecond, func() (bool, error) {
		b, err := w.get(ctx, w.cfg.Endpoint+"/_keyward/sns/messages?topic="+topic)
		if err != nil {
			return false, err
		}
		var msgs []snsMessage
		if err := json.Unmarshal(b, &msgs); err != nil {
			return false, fmt.Errorf("SNS capture: %w", err)
		}
		for i := range msgs {
			m := msgs[i]
			if strings.Contains(m.Message, w.KeyARN) && strings.Contains(m.Message, "key-disabled") {
				found = &m
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("no key-disabled alarm for %s on %s: %w", w.KeyARN, topic, err)
	}
	w.Alarm = found.Message
	w.say("SNS %s: %q", w.cfg.Env.AlarmTopic(), found.Subject)
	return nil
}

func (w *Walk) get(ctx context.Context, url string) ([]byte, error) {
	return w.send(ctx, http.MethodGet, url)
}

func (w *Walk) post(ctx context.Context, url string) ([]byte, error) {
	return w.send(ctx, http.MethodPost, url)
}

func (w *Walk) send(ctx context.Context, method, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := w.api.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode/100 != 2 {
		err = fmt.Errorf("%s %s → %d %s", method, url, res.StatusCode, clip(b))
	}
	return b, err
}
