'''wifiprov's NetworkManager mock: dbusmock's stock "networkmanager" template plus the Wi-Fi behaviour the
NetworkManager radio backend relies on and the stock template lacks: AP-mode profiles, RequestScan/LastScan,
AddAndActivateConnection(2) that really tries the network (a wrong key fails with NO_SECRETS, an absent SSID with
SSID_NOT_FOUND, as NetworkManager does), Ip4Config objects, Settings.Connection Delete/GetSecrets, and a log of what
was asked for, so tests can check what "NetworkManager" saw.

Written for wifiprov's tests (not derived from NetworkManager's code). Parameters (JSON, dbusmock -p):
  devices:  [{"iface": "wlan0", "mac": "24:0A:C4:11:22:33"}]
  networks: [{"ssid": "myssid", "psk": "mypassword", "bssid": "..", "frequency": 2437, "strength": 70,
              "security": "wpa2" | "wpa" | "open" | "wpa3"}]
  behaviour: {"omit_last_scan": false, "silent_activation": false, "no_ip4config": false, "step_ms": 5,
              "permission_denied": false, "dnsmasq_shared_dir": null}
  devices may also give "state" (an NMDeviceState number, e.g. 10 unmanaged, 20 unavailable; default 30).
'''
import json
import os
import time

import dbus
from gi.repository import GLib

import dbusmock
from dbusmock import MOCK_IFACE
from dbusmock.templates import networkmanager as stock

BUS_NAME = stock.BUS_NAME
MAIN_OBJ = stock.MAIN_OBJ  # the ObjectManager at /org/freedesktop, which also carries the mock controls
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

MANAGER_OBJ = '/org/freedesktop/NetworkManager'

MANAGER_IFACE = 'org.freedesktop.NetworkManager'
SETTINGS_OBJ = '/org/freedesktop/NetworkManager/Settings'
SETTINGS_IFACE = 'org.freedesktop.NetworkManager.Settings'
CONNECTION_IFACE = 'org.freedesktop.NetworkManager.Settings.Connection'
DEVICE_IFACE = 'org.freedesktop.NetworkManager.Device'
WIRELESS_IFACE = 'org.freedesktop.NetworkManager.Device.Wireless'
AP_IFACE = 'org.freedesktop.NetworkManager.AccessPoint'
ACTIVE_IFACE = 'org.freedesktop.NetworkManager.Connection.Active'
IP4_IFACE = 'org.freedesktop.NetworkManager.IP4Config'
PROPS_IFACE = 'org.freedesktop.DBus.Properties'

# NMDeviceState / NMActiveConnectionState / NMDeviceStateReason numbers (NetworkManager's nm-dbus-types).
DISCONNECTED, PREPARE, CONFIG, NEED_AUTH, IP_CONFIG, ACTIVATED, DEACTIVATING, FAILED = 30, 40, 50, 60, 70, 100, 110, 120
AC_ACTIVATING, AC_ACTIVATED, AC_DEACTIVATING, AC_DEACTIVATED = 1, 2, 3, 4
REASON_NONE, REASON_NO_SECRETS, REASON_USER_REQUESTED, REASON_SSID_NOT_FOUND, REASON_NEW_ACTIVATION = 0, 7, 39, 53, 60
# AC reasons (NMActiveConnectionStateReason)
AC_REASON_USER_DISCONNECTED, AC_REASON_DEVICE_DISCONNECTED, AC_REASON_NO_SECRETS = 2, 3, 9

WORLD = {'networks': [], 'behaviour': {}, 'log': [], 'counter': 0, 'devices': {}}


def _next(kind):
    WORLD['counter'] += 1
    return f'/org/freedesktop/NetworkManager/{kind}/{WORLD["counter"]}'


def _log(event, **fields):
    fields['event'] = event
    WORLD['log'].append(fields)
    # The same entry as a signal, so a test can wait for "NetworkManager was asked to ..." instead of polling.
    try:
        dbusmock.get_object(MAIN_OBJ).EmitSignal(MOCK_IFACE, 'WifiprovEvent', 's', [json.dumps(fields)])
    except KeyError:
        pass  # still loading: nobody can be listening yet


def _behaviour(key, default=False):
    return WORLD['behaviour'].get(key, default)


def _later(fn, *args):
    '''Runs fn after the configured step (NetworkManager answers a call first and signals progress later).'''
    def run():
        fn(*args)
        return False
    GLib.timeout_add(int(_behaviour('step_ms', 5)), run)


def _set_props(path, iface, changes):
    obj = dbusmock.get_object(path)
    for name, value in changes.items():
        obj.props[iface][name] = value
    obj.EmitSignal(PROPS_IFACE, 'PropertiesChanged', 'sa{sv}as', [iface, changes, dbus.Array([], signature='s')])


def _plain(value):
    '''D-Bus values → JSON-able Python (byte arrays become lists of ints).'''
    if isinstance(value, (dbus.Array, list)):
        if getattr(value, 'signature', None) == 'y' or (len(value) > 0 and all(isinstance(v, dbus.Byte) for v in value)):
            return [int(v) for v in value]
        return [_plain(v) for v in value]
    if isinstance(value, dbus.Dictionary) or isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (int, dbus.Byte)):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def _valid_psk(psk):
    # NetworkManager's rule for 802-11-wireless-security.psk with key-mgmt wpa-psk: 8–63 characters, or 64 hex digits.
    if len(psk) == 64:
        return all(c in '0123456789abcdefABCDEF' for c in psk)
    return 8 <= len(psk) <= 63


def _authorize(action):
    '''polkit saying no, as NetworkManager reports it (the caller lacks network-control or settings.modify).'''
    if _behaviour('permission_denied'):
        _log('permission-denied', action=action)
        raise dbus.exceptions.DBusException('Not authorized to control networking.',
                                            name='org.freedesktop.NetworkManager.PermissionDenied')


def _check_settings(settings):
    wireless = settings.get('802-11-wireless')
    if wireless is None:
        raise dbus.exceptions.DBusException('connection has no 802-11-wireless setting',
                                            name='org.freedesktop.NetworkManager.Settings.Connection.MissingSetting')
    ssid = wireless.get('ssid')
    if ssid is None or not 1 <= len(ssid) <= 32:
        raise dbus.exceptions.DBusException('802-11-wireless.ssid: property is invalid',
                                            name='org.freedesktop.NetworkManager.Settings.Connection.InvalidProperty')
    security = settings.get('802-11-wireless-security')
    if security is not None and str(security.get('key-mgmt', '')) == 'wpa-psk':
        psk = str(security.get('psk', ''))
        if not _valid_psk(psk):
            raise dbus.exceptions.DBusException('802-11-wireless-security.psk: property is invalid',
                                                name='org.freedesktop.NetworkManager.Settings.Connection.InvalidProperty')


# ---- settings (profiles) ----------------------------------------------------------------------------------

def _without_secrets(settings):
    copy = {}
    for name, group in settings.items():
        copy[name] = dbus.Dictionary({k: v for k, v in group.items() if k != 'psk'}, signature='sv')
    return dbus.Dictionary(copy, signature='sa{sv}')


def _add_profile(settings, persist):
    _authorize('add-connection')
    _check_settings(settings)
    path = _next('Settings')
    conn_id = str(settings.get('connection', {}).get('id', path))
    settings = dbus.Dictionary(settings, signature='sa{sv}')
    dbusmock.get_object(SETTINGS_OBJ).AddObject(path, CONNECTION_IFACE,
                                                {'Unsaved': persist != 'disk', 'Flags': dbus.UInt32(0),
                                                 'Filename': ''}, [
        ('GetSettings', '', 'a{sa{sv}}', lambda self: _without_secrets(self.wifiprov_settings)),
        ('GetSecrets', 's', 'a{sa{sv}}', _get_secrets),
        ('Update', 'a{sa{sv}}', '', _update),
        ('Delete', '', '', _delete),
    ])
    obj = dbusmock.get_object(path)
    obj.wifiprov_settings = settings
    obj.wifiprov_persist = persist
    settings_obj = dbusmock.get_object(SETTINGS_OBJ)
    connections = list(settings_obj.props[SETTINGS_IFACE]['Connections']) + [dbus.ObjectPath(path)]
    settings_obj.props[SETTINGS_IFACE]['Connections'] = dbus.Array(connections, signature='o')
    settings_obj.EmitSignal(SETTINGS_IFACE, 'NewConnection', 'o', [dbus.ObjectPath(path)])
    _log('add-connection', path=path, id=conn_id, persist=persist, settings=_plain(settings))
    return dbus.ObjectPath(path)


def _get_secrets(self, setting_name):
    group = self.wifiprov_settings.get(setting_name, {})
    secrets = {k: v for k, v in group.items() if k == 'psk'}
    return dbus.Dictionary({setting_name: dbus.Dictionary(secrets, signature='sv')}, signature='sa{sv}')


def _update(self, settings):
    _check_settings(settings)
    self.wifiprov_settings = dbus.Dictionary(settings, signature='sa{sv}')
    self.wifiprov_persist = 'disk'
    self.props[CONNECTION_IFACE]['Unsaved'] = False
    _log('update-connection', path=self.path, settings=_plain(settings))


def _delete(self):
    _authorize('delete-connection')
    _remove_profile(self.path)


def _remove_profile(path):
    # Deleting a profile first deactivates what runs from it (NetworkManager does the same).
    for active_path in list(dbusmock.get_object(MANAGER_OBJ).props[MANAGER_IFACE]['ActiveConnections']):
        active = dbusmock.get_object(active_path)
        if str(active.props[ACTIVE_IFACE]['Connection']) == path:
            _deactivate(str(active_path), REASON_USER_REQUESTED, AC_REASON_USER_DISCONNECTED)
    settings_obj = dbusmock.get_object(SETTINGS_OBJ)
    connections = [c for c in settings_obj.props[SETTINGS_IFACE]['Connections'] if str(c) != path]
    settings_obj.props[SETTINGS_IFACE]['Connections'] = dbus.Array(connections, signature='o')
    settings_obj.EmitSignal(SETTINGS_IFACE, 'ConnectionRemoved', 'o', [dbus.ObjectPath(path)])
    dbusmock.get_object(path).EmitSignal(CONNECTION_IFACE, 'Removed', '', [])
    settings_obj.RemoveObject(path)
    _log('delete-connection', path=path)


# ---- devices and access points ----------------------------------------------------------------------------

def _add_device(iface, mac, state=DISCONNECTED):
    path = _next('Devices')
    manager = dbusmock.get_object(MANAGER_OBJ)
    manager.AddObject(path, WIRELESS_IFACE, {
        'HwAddress': mac, 'PermHwAddress': mac, 'Mode': dbus.UInt32(2), 'Bitrate': dbus.UInt32(0),
        'AccessPoints': dbus.Array([], signature='o'), 'ActiveAccessPoint': dbus.ObjectPath('/'),
        'WirelessCapabilities': dbus.UInt32(0x7ff), 'LastScan': dbus.Int64(-1),
    }, [
        ('RequestScan', 'a{sv}', '', _request_scan),
        ('GetAllAccessPoints', '', 'ao', lambda self: self.props[WIRELESS_IFACE]['AccessPoints']),
        ('GetAccessPoints', '', 'ao', lambda self: self.props[WIRELESS_IFACE]['AccessPoints']),
    ])
    device = dbusmock.get_object(path)
    device.AddProperties(DEVICE_IFACE, {
        'Interface': iface, 'IpInterface': iface, 'Driver': 'wifiprov-mock', 'HwAddress': mac,
        'DeviceType': dbus.UInt32(2), 'State': dbus.UInt32(state),
        'StateReason': dbus.Struct((dbus.UInt32(state), dbus.UInt32(0)), signature='uu'),
        'ActiveConnection': dbus.ObjectPath('/'), 'Ip4Config': dbus.ObjectPath('/'), 'Managed': True,
        'Autoconnect': True, 'AvailableConnections': dbus.Array([], signature='o'),
    })
    if _behaviour('omit_last_scan'):
        del device.props[WIRELESS_IFACE]['LastScan']
    device.wifiprov_aps = {}
    devices = list(manager.props[MANAGER_IFACE]['Devices']) + [dbus.ObjectPath(path)]
    manager.props[MANAGER_IFACE]['Devices'] = dbus.Array(devices, signature='o')
    manager.props[MANAGER_IFACE]['AllDevices'] = dbus.Array(devices, signature='o')
    WORLD['devices'][iface] = path
    return path


def _security_flags(security):
    # NM80211ApFlags PRIVACY = 0x1; NM80211ApSecurityFlags KEY_MGMT_PSK = 0x100, PAIR_CCMP = 0x8, GROUP_CCMP = 0x80,
    # PAIR_TKIP = 0x4, GROUP_TKIP = 0x40, KEY_MGMT_SAE = 0x400.
    if security == 'open':
        return 0, 0, 0
    if security == 'wpa':
        return 1, 0x100 | 0x4 | 0x40, 0
    if security == 'wpa3':
        return 1, 0, 0x400 | 0x8 | 0x80
    return 1, 0, 0x100 | 0x8 | 0x80


def _request_scan(self, options):
    _log('request-scan', device=self.path, options=_plain(options))
    if _behaviour('scan_refused'):
        raise dbus.exceptions.DBusException('Scanning not allowed while unavailable',
                                            name='org.freedesktop.NetworkManager.Device.NotAllowed')
    _later(_finish_scan, self.path)


def _finish_scan(device_path):
    device = dbusmock.get_object(device_path)
    for ap_path in list(device.wifiprov_aps.values()):
        device.RemoveObject(ap_path)
    device.wifiprov_aps = {}
    for network in WORLD['networks']:
        flags, wpa, rsn = _security_flags(network.get('security', 'wpa2'))
        ap_path = _next('AccessPoint')
        device.AddObject(ap_path, AP_IFACE, {
            'Ssid': dbus.ByteArray(bytes(network['ssid_bytes'])), 'HwAddress': network['bssid'],
            'Frequency': dbus.UInt32(network.get('frequency', 2437)), 'Strength': dbus.Byte(network.get('strength', 60)),
            'Flags': dbus.UInt32(flags), 'WpaFlags': dbus.UInt32(wpa), 'RsnFlags': dbus.UInt32(rsn),
            'Mode': dbus.UInt32(2), 'MaxBitrate': dbus.UInt32(54000), 'LastSeen': dbus.Int32(int(time.monotonic())),
        }, [])
        device.wifiprov_aps[network['bssid']] = ap_path
    changes = {'AccessPoints': dbus.Array([dbus.ObjectPath(p) for p in device.wifiprov_aps.values()], signature='o')}
    if not _behaviour('omit_last_scan'):
        changes['LastScan'] = dbus.Int64(int(time.monotonic() * 1000))
    _set_props(device_path, WIRELESS_IFACE, changes)
    _log('scan-finished', device=device_path, access_points=len(device.wifiprov_aps))


def _set_device_state(device_path, new_state, reason):
    device = dbusmock.get_object(device_path)
    old = device.props[DEVICE_IFACE]['State']
    device.props[DEVICE_IFACE]['State'] = dbus.UInt32(new_state)
    device.props[DEVICE_IFACE]['StateReason'] = dbus.Struct((dbus.UInt32(new_state), dbus.UInt32(reason)), signature='uu')
    device.EmitSignal(DEVICE_IFACE, 'StateChanged', 'uuu', [dbus.UInt32(new_state), old, dbus.UInt32(reason)])
    _set_props(device_path, DEVICE_IFACE, {'State': dbus.UInt32(new_state),
                                           'StateReason': device.props[DEVICE_IFACE]['StateReason']})


# ---- activation -------------------------------------------------------------------------------------------

def _device_path(requested):
    if str(requested) != '/':
        return str(requested)
    raise dbus.exceptions.DBusException('no device given', name='org.freedesktop.NetworkManager.UnknownDevice')


def _activate(connection_path, device_path, specific_object):
    device_path = _device_path(device_path)
    device = dbusmock.get_object(device_path)
    current = str(device.props[DEVICE_IFACE]['ActiveConnection'])
    if current != '/':
        _deactivate(current, REASON_NEW_ACTIVATION, AC_REASON_DEVICE_DISCONNECTED)
    settings = dbusmock.get_object(connection_path).wifiprov_settings
    active_path = _next('ActiveConnection')
    manager = dbusmock.get_object(MANAGER_OBJ)
    manager.AddObject(active_path, ACTIVE_IFACE, {
        'Connection': dbus.ObjectPath(connection_path), 'SpecificObject': dbus.ObjectPath(specific_object or '/'),
        'Id': settings['connection'].get('id', ''), 'Uuid': settings['connection'].get('uuid', ''),
        'Type': '802-11-wireless', 'Devices': dbus.Array([dbus.ObjectPath(device_path)], signature='o'),
        'State': dbus.UInt32(AC_ACTIVATING), 'StateFlags': dbus.UInt32(0), 'Default': False,
        'Ip4Config': dbus.ObjectPath('/'), 'Ip6Config': dbus.ObjectPath('/'), 'Vpn': False,
        'Master': dbus.ObjectPath('/'),
    }, [])
    actives = list(manager.props[MANAGER_IFACE]['ActiveConnections']) + [dbus.ObjectPath(active_path)]
    manager.props[MANAGER_IFACE]['ActiveConnections'] = dbus.Array(actives, signature='o')
    device.props[DEVICE_IFACE]['ActiveConnection'] = dbus.ObjectPath(active_path)
    wireless = settings['802-11-wireless']
    mode = str(wireless.get('mode', 'infrastructure'))
    security = settings.get('802-11-wireless-security', {})
    entry = {'device': device_path, 'active': active_path, 'connection': connection_path, 'mode': mode,
             'ssid': _plain(wireless['ssid']), 'psk': str(security.get('psk', '')),
             'key_mgmt': str(security.get('key-mgmt', '')), 'settings': _plain(settings)}
    _log('activate', **entry)
    if _behaviour('silent_activation'):
        return dbus.ObjectPath(active_path)
    _later(_set_device_state, device_path, PREPARE, REASON_NONE)
    _later(_progress, active_path, device_path, mode, settings)
    return dbus.ObjectPath(active_path)


def _progress(active_path, device_path, mode, settings):
    if active_path not in dbusmock.get_objects():
        return  # deactivated meanwhile
    wireless = settings['802-11-wireless']
    ssid = bytes(int(b) for b in wireless['ssid'])
    if mode == 'ap':
        ipv4 = settings.get('ipv4', {})
        if str(ipv4.get('method', '')) == 'shared':
            _start_dnsmasq(active_path, device_path)
        address = '10.42.0.1'
        for data in ipv4.get('address-data', []):
            address = str(data['address'])
        _activated(active_path, device_path, address, 24, None)
        return
    psk = str(settings.get('802-11-wireless-security', {}).get('psk', ''))
    bssid = str(wireless.get('bssid', '')) if 'bssid' in wireless else None
    matches = [n for n in WORLD['networks'] if bytes(n['ssid_bytes']) == ssid and
               (bssid is None or n['bssid'].lower() == _mac_text(wireless['bssid']).lower())]
    _set_device_state(device_path, CONFIG, REASON_NONE)
    if not matches:
        # A real NetworkManager gives up on an SSID only after scanning for it (seconds). Failing a few
        # milliseconds after the call let the failure overtake a client's next call on a loaded machine, so
        # "a new connect() replaces the attempt in progress" found no attempt in progress to replace.
        def not_found():
            if active_path in dbusmock.get_objects():
                _fail(active_path, device_path, REASON_SSID_NOT_FOUND, AC_REASON_DEVICE_DISCONNECTED)
            return False
        GLib.timeout_add(int(_behaviour('not_found_ms', 1000)), not_found)
        return
    network = matches[0]
    if network.get('security', 'wpa2') != 'open' and network.get('psk') != psk:
        _set_device_state(device_path, NEED_AUTH, REASON_NONE)
        _fail(active_path, device_path, REASON_NO_SECRETS, AC_REASON_NO_SECRETS)
        return
    device = dbusmock.get_object(device_path)
    ap = device.wifiprov_aps.get(network['bssid'])
    if ap is None:
        _finish_scan(device_path)
        ap = device.wifiprov_aps.get(network['bssid'])
    device.props[WIRELESS_IFACE]['ActiveAccessPoint'] = dbus.ObjectPath(ap)
    _activated(active_path, device_path, network.get('ip', '192.168.1.50'), 24, ap)


def _start_dnsmasq(active_path, device_path):
    '''NetworkManager starts dnsmasq for a "shared" connection with --conf-dir=<dnsmasq-shared.d> when that
    directory exists, and dnsmasq reads the files there once, at start: log what it would have read.'''
    directory = _behaviour('dnsmasq_shared_dir', None)
    files = {}
    if directory and os.path.isdir(directory):
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                with open(path, encoding='utf-8', errors='replace') as f:
                    files[name] = f.read()
    _log('dnsmasq-started', active=active_path, device=device_path, conf_dir=directory, files=files)


def _mac_text(value):
    if isinstance(value, (dbus.Array, list, bytes)):
        return ':'.join(f'{int(b):02X}' for b in value)
    return str(value)


def _activated(active_path, device_path, address, prefix, ap):
    _set_device_state(device_path, IP_CONFIG, REASON_NONE)
    ip4 = dbus.ObjectPath('/')
    if not _behaviour('no_ip4config'):
        ip4 = dbus.ObjectPath(_next('IP4Config'))
        dbusmock.get_object(MANAGER_OBJ).AddObject(str(ip4), IP4_IFACE, {
            'AddressData': dbus.Array([dbus.Dictionary({'address': dbus.String(address, variant_level=1),
                                                        'prefix': dbus.UInt32(prefix, variant_level=1)},
                                                       signature='sv')], signature='a{sv}'),
            'Gateway': '', 'Domains': dbus.Array([], signature='s'),
        }, [])
    _set_props(device_path, DEVICE_IFACE, {'Ip4Config': ip4})
    _set_props(active_path, ACTIVE_IFACE, {'Ip4Config': ip4})
    _set_device_state(device_path, ACTIVATED, REASON_NONE)
    active = dbusmock.get_object(active_path)
    active.props[ACTIVE_IFACE]['State'] = dbus.UInt32(AC_ACTIVATED)
    active.EmitSignal(ACTIVE_IFACE, 'StateChanged', 'uu', [dbus.UInt32(AC_ACTIVATED), dbus.UInt32(0)])
    _set_props(active_path, ACTIVE_IFACE, {'State': dbus.UInt32(AC_ACTIVATED)})
    _log('activated', active=active_path, device=device_path, address=address)


def _fail(active_path, device_path, reason, ac_reason):
    _log('failed', active=active_path, device=device_path, reason=reason)
    _set_device_state(device_path, FAILED, reason)
    _deactivate(active_path, reason, ac_reason, already_failed=True)


def _deactivate(active_path, reason, ac_reason, already_failed=False):
    if active_path not in dbusmock.get_objects():
        return
    active = dbusmock.get_object(active_path)
    manager = dbusmock.get_object(MANAGER_OBJ)
    for device_path in active.props[ACTIVE_IFACE]['Devices']:
        device = dbusmock.get_object(device_path)
        if str(device.props[DEVICE_IFACE]['ActiveConnection']) == active_path:
            device.props[DEVICE_IFACE]['ActiveConnection'] = dbus.ObjectPath('/')
            ip4 = str(device.props[DEVICE_IFACE]['Ip4Config'])
            device.props[DEVICE_IFACE]['Ip4Config'] = dbus.ObjectPath('/')
            device.props[WIRELESS_IFACE]['ActiveAccessPoint'] = dbus.ObjectPath('/')
            if ip4 != '/' and ip4 in dbusmock.get_objects():
                manager.RemoveObject(ip4)
            if not already_failed:
                _set_device_state(str(device_path), DEACTIVATING, reason)
            _set_device_state(str(device_path), DISCONNECTED, reason)
    active.props[ACTIVE_IFACE]['State'] = dbus.UInt32(AC_DEACTIVATED)
    active.EmitSignal(ACTIVE_IFACE, 'StateChanged', 'uu', [dbus.UInt32(AC_DEACTIVATED), dbus.UInt32(ac_reason)])
    actives = [a for a in manager.props[MANAGER_IFACE]['ActiveConnections'] if str(a) != active_path]
    manager.props[MANAGER_IFACE]['ActiveConnections'] = dbus.Array(actives, signature='o')
    connection_path = str(active.props[ACTIVE_IFACE]['Connection'])
    manager.RemoveObject(active_path)
    _log('deactivated', active=active_path, reason=reason)
    # A volatile profile goes away once nothing runs from it (NetworkManager's "persist": "volatile").
    if connection_path in dbusmock.get_objects() and \
            getattr(dbusmock.get_object(connection_path), 'wifiprov_persist', 'disk') == 'volatile':
        _remove_profile(connection_path)


def _add_and_activate(self, settings, device, specific_object):
    return _add_and_activate2(self, settings, device, specific_object, {})


def _add_and_activate2(_self, settings, device, specific_object, options):
    _device_path(device)
    persist = str(options.get('persist', 'disk'))
    connection = _add_profile(settings, persist)
    active = _activate(str(connection), str(device), str(specific_object))
    if 'persist' in options or len(options) > 0:
        return (connection, active, dbus.Dictionary({}, signature='sv'))
    return (connection, active)


def _activate_method(_self, connection, device, specific_object):
    _authorize('activate')
    if str(connection) not in dbusmock.get_objects():
        raise dbus.exceptions.DBusException('unknown connection', name='org.freedesktop.NetworkManager.UnknownConnection')
    return _activate(str(connection), str(device), str(specific_object))


def _device_by_iface(_self, iface):
    path = WORLD['devices'].get(str(iface))
    if path is None:
        raise dbus.exceptions.DBusException('No device found for the requested iface.',
                                            name='org.freedesktop.NetworkManager.UnknownDevice')
    return dbus.ObjectPath(path)


def _deactivate_method(_self, active):
    _authorize('deactivate')
    if str(active) not in dbusmock.get_objects():
        raise dbus.exceptions.DBusException('not active', name='org.freedesktop.NetworkManager.ConnectionNotActive')
    _deactivate(str(active), REASON_USER_REQUESTED, AC_REASON_USER_DISCONNECTED)


# ---- loading and test controls ----------------------------------------------------------------------------

def _add_network(network):
    network = dict(network)
    ssid = network.get('ssid_hex')
    network['ssid_bytes'] = list(bytes.fromhex(ssid)) if ssid is not None else list(network['ssid'].encode('utf-8'))
    WORLD['networks'].append(network)


def load(mock, parameters):
    stock.load(mock, parameters)
    WORLD['behaviour'] = dict(parameters.get('behaviour', {}))
    manager = dbusmock.get_object(MANAGER_OBJ)
    manager.props[MANAGER_IFACE]['Version'] = parameters.get('Version', '1.42.4')
    manager.props[MANAGER_IFACE]['AllDevices'] = dbus.Array([], signature='o')
    manager.AddMethods(MANAGER_IFACE, [
        ('AddAndActivateConnection', 'a{sa{sv}}oo', 'oo', _add_and_activate),
        ('AddAndActivateConnection2', 'a{sa{sv}}ooa{sv}', 'ooa{sv}', _add_and_activate2),
        ('ActivateConnection', 'ooo', 'o', _activate_method),
        ('DeactivateConnection', 'o', '', _deactivate_method),
        ('GetDeviceByIpIface', 's', 'o', _device_by_iface),
    ])
    settings = dbusmock.get_object(SETTINGS_OBJ)
    settings.AddMethods(SETTINGS_IFACE, [
        ('AddConnection', 'a{sa{sv}}', 'o', lambda self, s: _add_profile(s, 'disk')),
        ('AddConnectionUnsaved', 'a{sa{sv}}', 'o', lambda self, s: _add_profile(s, 'memory')),
    ])
    for device in parameters.get('devices', []):
        _add_device(device['iface'], device['mac'], int(device.get('state', DISCONNECTED)))
    for network in parameters.get('networks', []):
        _add_network(network)
    _load_laptop(parameters)


@dbus.service.method(MOCK_IFACE, in_signature='', out_signature='s')
def WifiprovLog(_self):
    '''Everything asked of this NetworkManager so far, as a JSON array.'''
    return json.dumps(WORLD['log'])


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='')
def WifiprovSetBehaviour(_self, behaviour_json):
    WORLD['behaviour'].update(json.loads(behaviour_json))


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='')
def WifiprovAddNetwork(_self, network_json):
    _add_network(json.loads(network_json))


@dbus.service.method(MOCK_IFACE, in_signature='su', out_signature='')
def WifiprovVanish(_self, ssid, reason):
    '''The access point goes out of range: it leaves the scan list, and a join to it in progress (or a link to it)
    fails with the given NMDeviceStateReason, as NetworkManager fails an association that takes too long
    (SUPPLICANT_TIMEOUT 11 once the SSID was seen, nm-device-wifi.c).'''
    WORLD['networks'] = [n for n in WORLD['networks'] if n.get('ssid') != ssid]
    wanted = list(ssid.encode('utf-8'))
    manager = dbusmock.get_object(MANAGER_OBJ)
    for active_path in list(manager.props[MANAGER_IFACE]['ActiveConnections']):
        active = dbusmock.get_object(active_path)
        connection = dbusmock.get_object(str(active.props[ACTIVE_IFACE]['Connection']))
        wireless = connection.wifiprov_settings.get('802-11-wireless', {})
        if str(wireless.get('mode', 'infrastructure')) == 'infrastructure' and \
                [int(b) for b in wireless.get('ssid', [])] == wanted:
            for device_path in active.props[ACTIVE_IFACE]['Devices']:
                _fail(str(active_path), str(device_path), int(reason), AC_REASON_DEVICE_DISCONNECTED)
    _log('vanished', ssid=ssid, reason=int(reason))


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='')
def WifiprovRemoveNetwork(_self, ssid):
    WORLD['networks'] = [n for n in WORLD['networks'] if n.get('ssid') != ssid]


# ---- the laptop side (wifiprov provision --join / discover) ---------------------------------------------------
# Parameters:
#   active: [{"iface": "wlan0", "ssid": "home", "psk": "homepass1"}]  a saved profile already active on the
#           interface when the mock starts (what --join must put back); its network must be in "networks".
# Behaviour:
#   deny: ["AddAndActivateConnection2", ...]  Manager methods polkit refuses (PermissionDenied, as NM answers).

def _load_laptop(parameters):
    for entry in parameters.get('active', []):
        device_path = WORLD['devices'][entry['iface']]
        settings = {
            'connection': {'id': dbus.String(entry.get('id', entry['ssid'])), 'uuid': dbus.String(entry['ssid'] + '-uuid'),
                           'type': dbus.String('802-11-wireless'), 'autoconnect': dbus.Boolean(True)},
            '802-11-wireless': {'ssid': dbus.Array([dbus.Byte(b) for b in entry['ssid'].encode('utf-8')], signature='y'),
                                'mode': dbus.String('infrastructure')},
            'ipv4': {'method': dbus.String('auto')},
        }
        if entry.get('psk'):
            settings['802-11-wireless-security'] = {'key-mgmt': dbus.String('wpa-psk'), 'psk': dbus.String(entry['psk'])}
        connection = _add_profile(settings, 'disk')
        # Activated before the mock owns its bus name, so a test starts on a settled laptop: no step runs later.
        quiet = WORLD['behaviour'].get('silent_activation')
        WORLD['behaviour']['silent_activation'] = True
        active_path = str(_activate(str(connection), device_path, '/'))
        if quiet is None:
            del WORLD['behaviour']['silent_activation']
        else:
            WORLD['behaviour']['silent_activation'] = quiet
        _finish_scan(device_path)
        _progress(active_path, device_path, 'infrastructure', dbusmock.get_object(str(connection)).wifiprov_settings)
    manager = dbusmock.get_object(MANAGER_OBJ)
    manager.AddMethods(MANAGER_IFACE, [
        ('AddAndActivateConnection2', 'a{sa{sv}}ooa{sv}', 'ooa{sv}',
         lambda self, *args: _polkit('AddAndActivateConnection2', _add_and_activate2, self, *args)),
        ('ActivateConnection', 'ooo', 'o',
         lambda self, *args: _polkit('ActivateConnection', _activate_method, self, *args)),
    ])


def _polkit(member, fn, self, *args):
    if member in _behaviour('deny', []):
        _log('denied', member=member)
        raise dbus.exceptions.DBusException('Not authorized to control networking.',
                                            name='org.freedesktop.NetworkManager.PermissionDenied')
    return fn(self, *args)


@dbus.service.method(MOCK_IFACE, in_signature='s', out_signature='s')
def WifiprovActiveOn(_self, iface):
    '''The profile active on an interface now: JSON {"id", "ssid", "state", "persist"}, or "null".'''
    device = dbusmock.get_object(WORLD['devices'][iface])
    active_path = str(device.props[DEVICE_IFACE]['ActiveConnection'])
    if active_path == '/' or active_path not in dbusmock.get_objects():
        return 'null'
    active = dbusmock.get_object(active_path)
    connection = dbusmock.get_object(str(active.props[ACTIVE_IFACE]['Connection']))
    settings = connection.wifiprov_settings
    return json.dumps({'id': str(settings['connection'].get('id', '')),
                       'ssid': bytes(int(b) for b in settings['802-11-wireless']['ssid']).decode('utf-8', 'replace'),
                       'state': int(active.props[ACTIVE_IFACE]['State']),
                       'persist': getattr(connection, 'wifiprov_persist', 'disk')})
