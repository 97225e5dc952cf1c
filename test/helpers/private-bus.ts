/**
 * The configuration of a private `dbus-daemon` for tests (the NetworkManager mock and the real-NetworkManager
 * sandbox): one unix socket in the test's temp dir, on which everyone may own and call anything. Nothing outside
 * the test reaches the socket. `type` is what the daemon reports itself as: "system" where a program insists on
 * the system bus (NetworkManager), "session" otherwise.
 */
export function privateBusConfig(socket: string, type: "system" | "session"): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>${type}</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}
