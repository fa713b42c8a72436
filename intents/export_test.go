package intents

// HoldOut lets the external tests split a bundle as the calibration does.
var HoldOut = holdOut
