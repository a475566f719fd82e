# ruff: noqa: E501  (HL7 segments are long lines; wrapping them would hide what is tested)
"""HL7 v2 messages the tests parse: ADT and ORU, repetitions, escapes, empty fields, other
encoding characters and line endings."""

from __future__ import annotations

ADT_A01 = "\r".join(
    [
        "MSH|^~\\&|ADT1|GOOD HEALTH HOSPITAL|GHH LAB, INC.|GOOD HEALTH HOSPITAL|198808181126|SECURITY|ADT^A01^ADT_A01|MSG00001|P|2.8||",
        "EVN|A01|200708181123||",
        "PID|1||PATID1234^5^M11^ADT1^MR^GOOD HEALTH HOSPITAL~123456789^^^USSSA^SS||EVERYMAN^ADAM^A^III||19610615|M||C|2222 HOME STREET^^GREENSBORO^NC^27401-1020|GL|(555) 555-2004|(555)555-2004||S||PATID12345001^2^M10^ADT1^AN^A|444333333|987654^NC|",
        "NK1|1|NUCLEAR^NELDA^W|SPO^SPOUSE||||NK^NEXT OF KIN",
        "PV1|1|I|2000^2012^01||||004777^ATTEND^AARON^A|||SUR||||ADM|A0|",
    ]
)
ORU_R01 = "\r".join(
    [
        "MSH|^~\\&|LAB|ACME LAB|EHR|CLINIC|20240102030405.1234-0500||ORU^R01^ORU_R01|CTRL-42|P|2.5.1",
        "PID|||12345^^^MRN||Simpson^Homer^J||19560512|M",
        "OBR|1|ORD1|FIL1|24323-8^Comprehensive metabolic panel^LN|||20240101120000|||||||20240101123000",
        "OBX|1|NM|2345-7^Glucose^LN||95|mg/dL^milligrams per deciliter^UCUM|70-99|N|||F",
        "OBX|2|NM|2951-2^Sodium^LN||140|mmol/L|136-145|N|||F",
        "OBX|3|ST|8251-1^Comment^LN||Fasting \\T\\ rested, see note \\F\\ A\\S\\B \\E\\ end||||||F",
        "NTE|1||Line one\\.br\\Line two",
    ]
)
ADT_A08_V23 = "\n".join(
    [
        "MSH|^~\\&|SendingApp|SendingFacility|HL7API|PKB|20190201113000||ADT^A08|ABC0000000003|P|2.3",
        "PID|||9999999999^^^NHS^NH~12345^^^MRN^MR||Smith^John^^^Mr||19700101|M|||1 Main St^^Leeds^^LS1 1AA^GBR~2 Other St^^York",
        "PV1||O",
    ]
)
ADT_A28_EMPTY = "MSH|^~\\&|Primary||CL|PDMT|20200312081842|168866|ADT^A28|203598|T|2.3|||||||||||\r\nPID|1||||||||||||||||||||\r\n"
CUSTOM_SEPARATORS = "\r".join(
    [
        "MSH#$*@!#APP#FAC#RAPP#RFAC#20240102##ORM$O01#C1#P#2.4",
        "PID###1$2$3*4$5!a!b#Doe$Jane@Q",
        "ORC#NW#A|B^C~D&E",
    ]
)
SUBCOMPONENTS = "\r".join(
    [
        "MSH|^~\\&|A|B|C|D|20240102||DFT^P03|1|P|2.3",
        "FT1|1|||20240218||CG|99213^Office visit&CPT&AMA^CPT~99214^^CPT|||1|||||||||||||||",
        "PR1|1||1^Proc&sub1&sub2&&sub4^ICD||20240218",
    ]
)
MSH_ONLY = "MSH|^~\\&|A"
TRAILING_BREAKS = "MSH|^~\\&|A|B|C|D|20240102||ACK|9|P|2.5\r\rMSA|AA|8\r\n"
NO_MESSAGE_TYPE = "MSH|^~\\&|A|B|C|D|20240102||||"
SEPARATORS_ONLY = "MSH|"

MESSAGES = {
    "adt_a01": ADT_A01,
    "oru_r01": ORU_R01,
    "adt_a08_v23_newlines": ADT_A08_V23,
    "adt_a28_empty_fields_crlf": ADT_A28_EMPTY,
    "custom_separators": CUSTOM_SEPARATORS,
    "subcomponents": SUBCOMPONENTS,
    "msh_only": MSH_ONLY,
    "trailing_breaks": TRAILING_BREAKS,
    "no_message_type": NO_MESSAGE_TYPE,
    "separators_only": SEPARATORS_ONLY,
}
