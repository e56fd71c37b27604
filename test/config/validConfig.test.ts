// The committed stack files are valid as they stand.
import { stackKinds } from "../../config/schema";
import { validateMutated } from "../helpers";

describe("committed stack configs", () => {
  it.each(stackKinds)("%s validates", (stack) => {
    const result = validateMutated(stack, () => undefined);
    expect(result.kind).toBe(stack);
    expect(result.stack).toBe(stack);
    expect(result.config.cluster.name).toBe(stack);
  });

  it("dev accepts a second control plane node once it is odd again", () => {
    // Guards the odd-quorum rule from over-rejecting: 1 -> 3 control planes is fine.
    const result = validateMutated("dev", (v) => {
      const [cp] = v.cluster.nodes;
      v.cluster.nodes.push(
        { ...cp, name: "dev-cp-2", vmId: 102, machineUuid: "0b1e7c27-5fe5-4ca2-af5d-5493d09c3942", ip: "192.168.68.63" },
        { ...cp, name: "dev-cp-3", vmId: 103, machineUuid: "1b1e7c27-5fe5-4ca2-af5d-5493d09c3942", ip: "192.168.68.64" },
      );
    });
    expect(result.kind).toBe("dev");
  });
});
