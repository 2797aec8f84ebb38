#!/usr/bin/env node
// An independent OCPP charge point for csms_lite, built on `ocpp-rpc` in strict mode: every
// frame the CSMS sends (answers to our CALLs and its own CALLs) is validated against the
// official OCA JSON schemas that ship with ocpp-rpc, not the ones the server itself uses.
//
// Usage: node strict_client.mjs <endpoint> <identity> <ocpp1.6|ocpp2.0.1> <password>
//   endpoint is the CSMS URL without the identity, e.g. ws://127.0.0.1:9000/ocpp
//
// stdout carries one JSON object per line:
//   {"step": ..., "ok": true|false, "request": ..., "response": ..., "error": ...}
//     one per CALL we make, one per CALL the CSMS makes to us ("handled <Action>": ok when we
//     answered with a CALLRESULT, false when strict mode made it a CALLERROR), and one for
//     every strict-mode validation failure, bad message or unexpected close (ok: false);
//   {"ready": true} once every charge-point-initiated CALL has been made; from then on the
//     script keeps answering the CSMS's commands until stdin closes or a line {"quit": true}
//     arrives on it, then closes the WebSocket with 1000 and prints {"step": "close", ...}.
// Exit code 0 when every step was ok and the close was clean, 1 otherwise, 2 on bad usage.
// Driven by tests/csms_lite/test_ocpp_rpc_strict.py (run `npm ci --prefix tests/node` first).

import { randomUUID } from 'node:crypto';
import readline from 'node:readline';

import ocppRpc from 'ocpp-rpc';

const { RPCClient } = ocppRpc;

const CALL_TIMEOUT_MS = 10_000;
const KNOWN_TAG = 'TAG-OK';
const UNKNOWN_TAG = 'TAG-UNKNOWN';

let failures = 0;
let shuttingDown = false;
const background = new Set(); // triggered CALLs still in flight

function emit(obj) {
    process.stdout.write(`${safeJson(obj)}\n`);
}

function safeJson(obj) {
    try {
        return JSON.stringify(obj);
    } catch (err) {
        return JSON.stringify({ step: obj?.step ?? 'emit', ok: false, error: String(err) });
    }
}

function errorInfo(err) {
    if (err === undefined || err === null) return null;
    return {
        name: err.name,
        message: err.message ?? String(err),
        rpcErrorCode: err.rpcErrorCode,
        details: err.details,
    };
}

function fail(record) {
    failures += 1;
    emit({ ok: false, ...record });
}

const now = () => new Date().toISOString();

function usage(message) {
    process.stderr.write(`${message}\nusage: node strict_client.mjs <endpoint> <identity> ` +
        '<ocpp1.6|ocpp2.0.1> <password>\n');
    process.exit(2);
}

const [endpoint, identity, protocol, password] = process.argv.slice(2);
if (!endpoint || !identity || !protocol || password === undefined) usage('missing arguments');
if (!['ocpp1.6', 'ocpp2.0.1'].includes(protocol)) usage(`unsupported protocol ${protocol}`);

const client = new RPCClient({
    endpoint,
    identity,
    protocols: [protocol],
    strictMode: true,
    password,
    reconnect: false,
    callTimeoutMs: CALL_TIMEOUT_MS,
});

// -- everything that goes wrong outside a call's own promise -----------------------------

client.on('strictValidationFailure', (ev) => {
    fail({
        step: 'strictValidationFailure',
        method: ev.method,
        messageId: ev.messageId,
        outbound: ev.outbound,
        isCall: ev.isCall,
        request: ev.params,
        response: ev.result,
        error: errorInfo(ev.error),
    });
});

client.on('badMessage', (ev) => {
    fail({
        step: 'badMessage',
        raw: ev.buffer?.toString('utf8'),
        response: ev.response,
        error: errorInfo(ev.error),
    });
});

client.on('close', ({ code, reason }) => {
    if (shuttingDown) return;
    fail({ step: 'connection', error: { message: `closed by the CSMS: ${code} ${reason}` } });
    finish();
});

// -- CALLs we make ------------------------------------------------------------------------

async function step(name, method, params) {
    try {
        const response = await client.call(method, params);
        emit({ step: name, ok: true, request: params, response });
        return response;
    } catch (err) {
        fail({ step: name, request: params, error: errorInfo(err) });
        return undefined;
    }
}

function bootPayload() {
    if (protocol === 'ocpp1.6') {
        return {
            chargePointVendor: 'ocpp-rpc',
            chargePointModel: 'strict-client',
            chargePointSerialNumber: 'SN-0001',
            firmwareVersion: '1.0.0',
        };
    }
    return {
        reason: 'PowerUp',
        chargingStation: {
            vendorName: 'ocpp-rpc',
            model: 'strict-client',
            serialNumber: 'SN-0001',
            firmwareVersion: '1.0.0',
        },
    };
}

function statusPayload(connectorId, status) {
    if (protocol === 'ocpp1.6') {
        return { connectorId, errorCode: 'NoError', status, timestamp: now() };
    }
    return { timestamp: now(), connectorStatus: status, evseId: 1, connectorId };
}

async function run16() {
    await step('BootNotification', 'BootNotification', bootPayload());
    await step('Heartbeat', 'Heartbeat', {});
    await step('StatusNotification 0', 'StatusNotification', statusPayload(0, 'Available'));
    await step('StatusNotification 1', 'StatusNotification', statusPayload(1, 'Preparing'));
    await step('Authorize known', 'Authorize', { idTag: KNOWN_TAG });
    await step('Authorize unknown', 'Authorize', { idTag: UNKNOWN_TAG });

    const start = { connectorId: 1, idTag: KNOWN_TAG, meterStart: 1000, timestamp: now() };
    const started = await step('StartTransaction', 'StartTransaction', start);
    // A charger that lost the answer sends the same StartTransaction again.
    await step('StartTransaction retry', 'StartTransaction', { ...start });
    const transactionId = started?.transactionId ?? 0;

    await step('StatusNotification charging', 'StatusNotification',
        statusPayload(1, 'Charging'));
    await step('MeterValues', 'MeterValues', {
        connectorId: 1,
        transactionId,
        meterValue: [{
            timestamp: now(),
            sampledValue: [
                { value: '2500', context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
                { value: '11040.5', measurand: 'Power.Active.Import', unit: 'W' },
                { value: '16.0', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
                { value: '230.1', measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
                { value: '42', measurand: 'SoC', location: 'EV', unit: 'Percent' },
            ],
        }],
    });
    await step('StopTransaction', 'StopTransaction', {
        transactionId,
        idTag: KNOWN_TAG,
        meterStop: 5000,
        timestamp: now(),
        reason: 'Local',
        transactionData: [
            { timestamp: start.timestamp, sampledValue: [{ value: '1000', context: 'Transaction.Begin', unit: 'Wh' }] },
            {
                timestamp: now(),
                sampledValue: [
                    { value: '5000', context: 'Transaction.End', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
                    { value: '4.0', context: 'Transaction.End', measurand: 'Energy.Active.Import.Register', unit: 'kWh', format: 'Raw' },
                ],
            },
        ],
    });
    await step('StatusNotification finished', 'StatusNotification',
        statusPayload(1, 'Available'));
    await step('DataTransfer', 'DataTransfer',
        { vendorId: 'com.example.strict', messageId: 'ping', data: 'hello' });
    await step('FirmwareStatusNotification', 'FirmwareStatusNotification', { status: 'Idle' });
    await step('DiagnosticsStatusNotification', 'DiagnosticsStatusNotification',
        { status: 'Idle' });
}

function energy(value, context) {
    return {
        value,
        context,
        measurand: 'Energy.Active.Import.Register',
        location: 'Outlet',
        unitOfMeasure: { unit: 'Wh' },
    };
}

async function run201() {
    const idToken = { idToken: KNOWN_TAG, type: 'ISO14443' };
    const evse = { id: 1, connectorId: 1 };
    await step('BootNotification', 'BootNotification', bootPayload());
    await step('Heartbeat', 'Heartbeat', {});
    await step('StatusNotification 1', 'StatusNotification', statusPayload(1, 'Available'));
    await step('Authorize known', 'Authorize', { idToken });
    await step('Authorize unknown', 'Authorize',
        { idToken: { idToken: UNKNOWN_TAG, type: 'ISO14443' } });

    const transactionId = `TX-${randomUUID()}`.slice(0, 36);
    await step('TransactionEvent Started', 'TransactionEvent', {
        eventType: 'Started',
        timestamp: now(),
        triggerReason: 'Authorized',
        seqNo: 0,
        transactionInfo: { transactionId, chargingState: 'EVConnected' },
        evse,
        idToken,
        meterValue: [{ timestamp: now(), sampledValue: [energy(1000, 'Transaction.Begin')] }],
    });
    await step('StatusNotification occupied', 'StatusNotification',
        statusPayload(1, 'Occupied'));
    await step('TransactionEvent Updated', 'TransactionEvent', {
        eventType: 'Updated',
        timestamp: now(),
        triggerReason: 'MeterValuePeriodic',
        seqNo: 1,
        transactionInfo: { transactionId, chargingState: 'Charging', timeSpentCharging: 60 },
        meterValue: [{
            timestamp: now(),
            sampledValue: [
                energy(2500, 'Sample.Periodic'),
                { value: 11.04, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'kW', multiplier: 3 } },
                { value: 16.0, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A' } },
                { value: 230.1, measurand: 'Voltage', phase: 'L1-N', unitOfMeasure: { unit: 'V' } },
                { value: 42, measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } },
            ],
        }],
    });
    await step('MeterValues', 'MeterValues', {
        evseId: 1,
        meterValue: [{
            timestamp: now(),
            sampledValue: [
                energy(3000, 'Sample.Clock'),
                { value: 50.0, measurand: 'Frequency', unitOfMeasure: { unit: 'Hz' } },
            ],
        }],
    });
    await step('TransactionEvent Ended', 'TransactionEvent', {
        eventType: 'Ended',
        timestamp: now(),
        triggerReason: 'StopAuthorized',
        seqNo: 2,
        transactionInfo: { transactionId, chargingState: 'Idle', stoppedReason: 'Local' },
        evse,
        idToken,
        meterValue: [{ timestamp: now(), sampledValue: [energy(5000, 'Transaction.End')] }],
    });
    await step('StatusNotification available', 'StatusNotification',
        statusPayload(1, 'Available'));
    await step('NotifyEvent', 'NotifyEvent', {
        generatedAt: now(),
        seqNo: 0,
        tbc: false,
        eventData: [{
            eventId: 1,
            timestamp: now(),
            trigger: 'Delta',
            actualValue: 'Available',
            eventNotificationType: 'HardWiredNotification',
            component: { name: 'Connector', evse },
            variable: { name: 'AvailabilityState' },
        }],
    });
    await step('NotifyReport', 'NotifyReport', {
        requestId: 1,
        generatedAt: now(),
        seqNo: 0,
        tbc: false,
        reportData: [{
            component: { name: 'OCPPCommCtrlr' },
            variable: { name: 'HeartbeatInterval' },
            variableAttribute: [{ type: 'Actual', value: '300', mutability: 'ReadWrite', persistent: true, constant: false }],
            variableCharacteristics: { unit: 's', dataType: 'integer', supportsMonitoring: false },
        }],
    });
    await step('FirmwareStatusNotification', 'FirmwareStatusNotification', { status: 'Idle' });
    await step('SecurityEventNotification', 'SecurityEventNotification',
        { type: 'StartupOfTheDevice', timestamp: now(), techInfo: 'strict client started' });
    await step('DataTransfer', 'DataTransfer',
        { vendorId: 'com.example.strict', messageId: 'ping', data: 'hello' });
}

// -- CALLs the CSMS makes: valid answers, strict mode checks the requests -----------------

const config16 = new Map([
    ['HeartbeatInterval', '300'],
    ['MeterValueSampleInterval', '60'],
    ['NumberOfConnectors', '2'],
]);

function triggerLater(message) {
    const payloads = {
        Heartbeat: () => ({}),
        BootNotification: bootPayload,
        StatusNotification: () => statusPayload(1, 'Available'),
    };
    if (!(message in payloads)) return false;
    // After the answer has gone out, as the trigger sequence requires.
    const call = new Promise((resolve) => setTimeout(resolve, 10))
        .then(() => step(`triggered ${message}`, message, payloads[message]()));
    background.add(call);
    call.finally(() => background.delete(call));
    return true;
}

const handlers16 = {
    Reset: () => ({ status: 'Accepted' }),
    RemoteStartTransaction: () => ({ status: 'Accepted' }),
    RemoteStopTransaction: () => ({ status: 'Accepted' }),
    ChangeAvailability: () => ({ status: 'Accepted' }),
    TriggerMessage: ({ params }) =>
        ({ status: triggerLater(params.requestedMessage) ? 'Accepted' : 'NotImplemented' }),
    UnlockConnector: () => ({ status: 'Unlocked' }),
    GetConfiguration: ({ params }) => {
        const keys = params.key ?? [...config16.keys()];
        return {
            configurationKey: keys.filter((k) => config16.has(k))
                .map((k) => ({ key: k, readonly: k === 'NumberOfConnectors', value: config16.get(k) })),
            unknownKey: keys.filter((k) => !config16.has(k)),
        };
    },
    ChangeConfiguration: ({ params }) => {
        if (!config16.has(params.key)) return { status: 'NotSupported' };
        config16.set(params.key, params.value);
        return { status: 'Accepted' };
    },
    ClearCache: () => ({ status: 'Accepted' }),
    SetChargingProfile: () => ({ status: 'Accepted' }),
};

const variables201 = new Map([
    ['OCPPCommCtrlr.HeartbeatInterval', '300'],
    ['SampledDataCtrlr.TxUpdatedInterval', '60'],
]);
const variableKey = (item) => `${item.component.name}.${item.variable.name}`;

const handlers201 = {
    Reset: () => ({ status: 'Accepted' }),
    RequestStartTransaction: () => ({ status: 'Accepted' }),
    RequestStopTransaction: () => ({ status: 'Accepted' }),
    ChangeAvailability: () => ({ status: 'Accepted' }),
    TriggerMessage: ({ params }) =>
        ({ status: triggerLater(params.requestedMessage) ? 'Accepted' : 'NotImplemented' }),
    UnlockConnector: () => ({ status: 'Unlocked' }),
    GetVariables: ({ params }) => ({
        getVariableResult: params.getVariableData.map((item) => {
            const value = variables201.get(variableKey(item));
            const result = {
                attributeStatus: value === undefined ? 'UnknownVariable' : 'Accepted',
                component: item.component,
                variable: item.variable,
            };
            if (value !== undefined) {
                result.attributeType = item.attributeType ?? 'Actual';
                result.attributeValue = value;
            }
            return result;
        }),
    }),
    SetVariables: ({ params }) => ({
        setVariableResult: params.setVariableData.map((item) => {
            const known = variables201.has(variableKey(item));
            if (known) variables201.set(variableKey(item), item.attributeValue);
            return {
                attributeType: item.attributeType ?? 'Actual',
                attributeStatus: known ? 'Accepted' : 'UnknownVariable',
                component: item.component,
                variable: item.variable,
            };
        }),
    }),
    ClearCache: () => ({ status: 'Accepted' }),
    SetChargingProfile: () => ({ status: 'Accepted' }),
};

for (const [method, answer] of Object.entries(protocol === 'ocpp1.6' ? handlers16 : handlers201)) {
    // Strict mode has already validated the request when this runs, and validates the answer
    // after it: an invalid one is replaced by an InternalError CALLERROR.
    client.handle(method, answer);
}

// Report each CSMS CALL by what actually went back on the wire: ok only for a CALLRESULT.
const inbound = new Map(); // messageId -> [method, params]
client.on('call', ({ outbound, payload }) => {
    if (!outbound) inbound.set(payload[1], [payload[2], payload[3]]);
});
client.on('response', ({ outbound, payload }) => {
    if (!outbound) return;
    const [type, messageId] = payload;
    const [method, request] = inbound.get(messageId) ?? ['?', undefined];
    inbound.delete(messageId);
    const record = { step: `handled ${method}`, messageId, request };
    if (type === 3) {
        emit({ ...record, ok: true, response: payload[2] });
    } else {
        fail({ ...record, error: { rpcErrorCode: payload[2], message: payload[3], details: payload[4] } });
    }
});

// -- lifecycle ----------------------------------------------------------------------------

let finishing = null;

function finish() {
    finishing ??= (async () => {
        shuttingDown = true;
        await Promise.race([
            Promise.allSettled([...background]),
            new Promise((resolve) => setTimeout(resolve, CALL_TIMEOUT_MS)),
        ]);
        let closeCode = null;
        if (client.state === RPCClient.OPEN) {
            try {
                const { code, reason } = await client.close({ code: 1000, reason: 'done' });
                closeCode = code;
                emit({ step: 'close', ok: code === 1000, response: { code, reason } });
                if (code !== 1000) failures += 1;
            } catch (err) {
                fail({ step: 'close', error: errorInfo(err) });
            }
        }
        const exitCode = failures === 0 && closeCode === 1000 ? 0 : 1;
        // Pipes are written synchronously on Linux, but wait for the flush to be sure.
        process.stdout.write('', () => process.exit(exitCode));
    })();
    return finishing;
}

function serveUntilQuit() {
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    rl.on('line', (line) => {
        const text = line.trim();
        if (!text) return;
        let msg;
        try {
            msg = JSON.parse(text);
        } catch {
            fail({ step: 'stdin', error: { message: `not JSON: ${text}` } });
            return;
        }
        if (msg?.quit) finish();
    });
    rl.on('close', () => finish());
}

async function main() {
    try {
        await client.connect();
        emit({ step: 'connect', ok: true, response: { protocol: client.protocol } });
    } catch (err) {
        fail({ step: 'connect', error: errorInfo(err) });
        process.stdout.write('', () => process.exit(1));
        return;
    }
    if (client.protocol !== protocol) {
        fail({ step: 'protocol', error: { message: `CSMS chose ${client.protocol}` } });
    }
    await (protocol === 'ocpp1.6' ? run16() : run201());
    emit({ ready: true });
    serveUntilQuit();
}

// Never outlive the test that drives this script by much.
setTimeout(() => {
    fail({ step: 'watchdog', error: { message: 'no quit after 120 s' } });
    process.exit(1);
}, 120_000).unref();

main().catch((err) => {
    fail({ step: 'main', error: errorInfo(err) });
    process.stdout.write('', () => process.exit(1));
});
