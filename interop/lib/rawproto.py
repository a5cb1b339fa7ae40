"""Hand-encoded protobuf for the interop tests that speak raw gRPC (no generated code)."""


def varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, data):
    return varint((number << 3) | 2) + varint(len(data)) + data


def read_varint(data, index):
    value, shift = 0, 0
    while True:
        byte = data[index]
        index += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, index


def fields(data):
    """Yields (number, value) for the varint and length-delimited fields of a message, in order."""
    index = 0
    while index < len(data):
        tag, index = read_varint(data, index)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, index = read_varint(data, index)
        elif wire == 2:
            length, index = read_varint(data, index)
            value, index = data[index:index + length], index + length
        else:
            raise ValueError("unexpected wire type %d" % wire)
        yield number, value


def without_header(message):
    """The message's bytes minus field 1 (the response header)."""
    out, index = bytearray(), 0
    while index < len(message):
        start = index
        tag, index = read_varint(message, index)
        wire = tag & 7
        if wire == 0:
            _, index = read_varint(message, index)
        elif wire == 2:
            length, index = read_varint(message, index)
            index += length
        else:
            raise ValueError("unexpected wire type %d" % wire)
        if tag >> 3 != 1:
            out += message[start:index]
    return bytes(out).hex()
