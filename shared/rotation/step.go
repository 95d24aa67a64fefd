package rotation

import "fmt"

// Step is one of the four rotation steps Secrets Manager invokes in order.
type Step string

// The rotation steps, spelled as Secrets Manager sends them in the event's Step field.
const (
	StepCreate Step = "createSecret"
	StepSet    Step = "setSecret"
	StepTest   Step = "testSecret"
	StepFinish Step = "finishSecret"
)

// Steps lists the rotation steps in the order Secrets Manager runs them.
var Steps = []Step{StepCreate, StepSet, StepTest, StepFinish}

// Version staging labels used by rotation.
const (
	StageCurrent  = "AWSCURRENT"
	StagePending  = "AWSPENDING"
	StagePrevious = "AWSPREVIOUS"
)

// ParseStep validates a step name from a rotation event.
func ParseStep(s string) (Step, error) {
	for _, st := range Steps {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("%w: unknown step %q", ErrBadEvent, s)
}
