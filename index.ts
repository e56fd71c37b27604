// Entry point for the Pulumi CLI. The program is exported as a function: the
// runtime calls it and awaits it at once, so a config error is reported as
// the one error it is (an already-rejected promise would also make Node warn
// that the rejection was handled late).
import { homelab } from "./stacks";

export = homelab;
