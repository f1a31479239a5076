package serve

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Schedule says when a stack's next scan is due.
type Schedule interface {
	// Next is the first time after t that a scan is due.
	Next(t time.Time) time.Time
	String() string
}

// Every is a fixed interval.
type Every time.Duration

// Next is t plus the interval.
func (e Every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

func (e Every) String() string { return "every " + time.Duration(e).String() }

// cronSchedule is a cron expression.
type cronSchedule struct {
	text string
	s    cron.Schedule
}

func (c cronSchedule) Next(t time.Time) time.Time { return c.s.Next(t) }
func (c cronSchedule) String() string             { return "cron " + c.text }

// cronParser accepts standard five-field expressions and descriptors
// (@hourly, @every 5m).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule reads an interval ("10m", "1h30m") or a cron expression
// ("*/15 * * * *", "@hourly").
func ParseSchedule(text string) (Schedule, error) {
	text = strings.TrimSpace(text)
	if d, err := time.ParseDuration(text); err == nil {
		if d < time.Second {
			return nil, fmt.Errorf("an interval of %s is too short: at least 1s", d)
		}
		return Every(d), nil
	}
	s, err := cronParser.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%q is neither an interval (\"10m\") nor a cron expression (\"*/15 * * * *\"): %v", text, err)
	}
	if s.Next(time.Now()).IsZero() {
		return nil, fmt.Errorf("the cron expression %q never matches a date", text)
	}
	return cronSchedule{text: text, s: s}, nil
}

// nextRun is when to scan next after a scan that ended at now: the
// schedule's next time plus a random jitter of up to a tenth of the period
// (at most 30s), so that stacks on one schedule do not hit the cloud's API
// at the same instant.
func nextRun(s Schedule, now time.Time) time.Time {
	next := s.Next(now)
	period := s.Next(next).Sub(next)
	return next.Add(jitter(period))
}

func jitter(period time.Duration) time.Duration {
	max := min(period/10, 30*time.Second)
	if max <= 0 {
		return 0
	}
	return rand.N(max)
}

func convertValue(v cty.Value, want cty.Type) (cty.Value, error) {
	if v.IsNull() {
		return cty.NullVal(want), nil
	}
	return convert.Convert(v, want)
}
