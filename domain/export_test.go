package domain

// PlanAsLarge makes plans of more than n movable orders large ones (see
// largePlan) until the function it returns is called. Tests that use it
// must not run in parallel with others that improve plans.
func PlanAsLarge(n int) (restore func()) {
	was := largePlan
	largePlan = n
	return func() { largePlan = was }
}
