/*
   Rules issued by the regional CERT for the invoice-phishing campaign (case 2024-0519).
   Use with: fklab disk yara IMAGE labs/disk-06/rules.yar
*/

rule GhostInvoice_Dropper
{
    meta:
        family = "GhostInvoice"
        description = "PowerShell dropper sent as an invoice: downloads a Base64 payload and saves it as ghinv_stage2.exe"
        author = "Regional CERT"
    strings:
        $stage = "ghinv_stage2" ascii wide nocase
        $b64 = "FromBase64String" ascii wide nocase
        $webclient = "Net.WebClient" ascii wide nocase
    condition:
        $stage and ($b64 or $webclient)
}

rule NordLoader_PE
{
    meta:
        family = "NordLoader"
        description = "Windows loader; carries its C2 server after the marker NRD-C2:"
        author = "Regional CERT"
    strings:
        $version = /NRDLDR\/[0-9]\.[0-9]/ ascii
        $c2 = { 4E 52 44 2D 43 32 3A }   // "NRD-C2:"
    condition:
        uint16(0) == 0x5A4D and ($version or $c2)
}
