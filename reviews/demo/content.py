"""Demo content: five synthetic experiment videos with narration, manuscripts and questions.

Questions follow the SciVideoBench import format; `validate()` checks the data's invariants.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoVideo:
    video_id: str
    title: str
    discipline: str
    subject: str
    duration: float
    scenes: tuple[tuple[float, str], ...]
    cues: tuple[tuple[float, float, str], ...]
    manuscript: str


# ---------------------------------------------------------------------------------------------
# demo-1: Chemistry / Nanomaterials
# ---------------------------------------------------------------------------------------------

_MANUSCRIPT_1 = """\
# Seed-Mediated Synthesis of Gold Nanorods with Tunable Aspect Ratio

## Abstract

Gold nanorods support a longitudinal surface plasmon whose wavelength follows their aspect
ratio, which makes them useful as photothermal agents, refractive-index sensors and contrast
agents. This protocol describes the silver-assisted, seed-mediated synthesis of nanorods about
48 nm long and 14 nm wide in aqueous cetyltrimethylammonium bromide (CTAB). Small seeds are
nucleated with ice-cold sodium borohydride and then grown in a separate solution in which
ascorbic acid, a mild reductant, can reduce gold(I) only on a seed surface. The silver nitrate
dose sets the final length.

## Protocol

1. Seed synthesis. Warm 5 mL of 0.20 M CTAB to 30 °C until clear and add 5 mL of 0.50 mM
   HAuCl4. Stir at 1,200 rpm and inject 0.60 mL of freshly prepared, ice-cold 10 mM NaBH4 in
   one shot. Stir for 2 min.
2. Seed aging. Keep the seed solution at 27 °C for 30 min so that excess borohydride
   decomposes; use the seeds within 2 h.
3. Growth solution. In a 20 mL glass vial at 30 °C, combine 5.0 mL of 0.20 M CTAB, 0.20 mL of
   4.0 mM AgNO3 and 5.0 mL of 1.0 mM HAuCl4, mixing by gentle inversion.
4. Reduction and seeding. Add 70 µL of 79 mM ascorbic acid and swirl until colorless (about
   10 s). Add 12 µL of aged seed, invert twice and leave undisturbed at 30 °C for 12 h.
5. Purification. Centrifuge at 9,000 × g for 20 min with the rotor held at 28 °C. Discard the
   supernatant, resuspend the pellet in 5 mL of 1 mM CTAB and repeat once.
6. Characterization. Dilute 100 µL of rods with 900 µL of water and record a UV-Vis spectrum
   in a 1 cm cuvette. Deposit a drop on a carbon-coated grid for TEM.

## Representative Results

The growth solution turned purple-brown within 20 min of seeding. Spectra showed a transverse
plasmon band at 512 nm and a longitudinal band at 760 nm, with an absorbance of 0.42 for the
diluted sample. TEM gave rods of 48 ± 5 nm by 14 ± 2 nm (aspect ratio about 3.4), with fewer
than 5% spherical by-products.

## Discussion

The critical parameters are temperature and the order of addition. CTAB crystallizes below
its Krafft temperature of about 25 °C, so all solutions and the centrifuge are kept warm.
Seeds must be aged long enough to destroy excess borohydride, but not so long that they
ripen. Ascorbic acid must turn the growth solution colorless before seed is added; residual
color indicates incomplete reduction to gold(I) and usually a lower rod yield.
"""

_VIDEO_1 = DemoVideo(
    video_id="demo-1",
    title="Seed-Mediated Synthesis of Gold Nanorods with Tunable Aspect Ratio",
    discipline="Chemistry",
    subject="Nanomaterials",
    duration=212.0,
    scenes=(
        (0.0, "Seed-mediated growth: overview"),
        (14.0, "Preparing the CTAB seed solution"),
        (40.0, "Ice-cold NaBH4 injection"),
        (66.0, "Seed aging at 27 °C"),
        (84.0, "Assembling the growth solution"),
        (124.0, "Ascorbic acid and seed addition"),
        (156.0, "Centrifugal purification"),
        (182.0, "UV-Vis and TEM characterization"),
    ),
    cues=(
        (
            0.0,
            7.0,
            "In this protocol, gold nanorods are grown from small CTAB-capped seeds "
            "in a silver-assisted, seed-mediated reaction.",
        ),
        (
            7.0,
            14.0,
            "The silver nitrate dose sets the rod length, while the width stays close "
            "to 14 nanometers.",
        ),
        (
            14.0,
            22.0,
            "For the seeds, 5 mL of 0.20 M CTAB is warmed to 30 degrees Celsius until "
            "the solution is completely clear.",
        ),
        (
            22.0,
            31.0,
            "Next, 5 mL of 0.50 mM HAuCl4 is added, and the mixture turns yellow-orange "
            "as gold binds bromide from the surfactant.",
        ),
        (
            31.0,
            40.0,
            "The seed mixture now contains 0.10 M CTAB and 0.25 mM gold, and it is "
            "stirred at 1,200 rpm.",
        ),
        (
            40.0,
            48.0,
            "Sodium borohydride is dissolved to 10 mM in ice-cold water immediately "
            "before use and kept on ice.",
        ),
        (
            48.0,
            57.0,
            "Then 0.60 mL of the cold NaBH4 is injected in a single shot, and the "
            "solution turns brownish-yellow within seconds.",
        ),
        (57.0, 66.0, "Stirring continues for 2 minutes, after which the stir bar is removed."),
        (
            66.0,
            75.0,
            "The seed solution is aged for 30 minutes at 27 degrees Celsius, which lets "
            "the excess borohydride decompose.",
        ),
        (
            75.0,
            84.0,
            "Seeds are used within 2 hours, because older seeds ripen and give a lower "
            "yield of rods.",
        ),
        (
            84.0,
            93.0,
            "For the growth solution, 5.0 mL of 0.20 M CTAB is placed in a 20 mL glass "
            "vial held at 30 degrees Celsius.",
        ),
        (
            93.0,
            103.0,
            "Then 0.20 mL of 4.0 mM silver nitrate is added, and the vial is gently inverted.",
        ),
        (
            103.0,
            113.0,
            "Next, 5.0 mL of 1.0 mM HAuCl4 is added, giving a dark yellow-orange solution.",
        ),
        (
            113.0,
            124.0,
            "Reagents are mixed by gentle inversion rather than stirring, so the "
            "surfactant does not foam.",
        ),
        (
            124.0,
            134.0,
            "Now 70 µL of 79 mM ascorbic acid is added, and within about 10 seconds of "
            "swirling the solution turns completely colorless.",
        ),
        (
            134.0,
            140.0,
            "Ascorbic acid has reduced gold(III) only to gold(I); no particles form yet.",
        ),
        (
            140.0,
            148.0,
            "Finally, 12 µL of the aged seed solution is added, and the vial is inverted "
            "twice and left undisturbed at 30 degrees Celsius.",
        ),
        (
            148.0,
            156.0,
            "The solution turns purple-brown within 20 minutes, and growth continues for 12 hours.",
        ),
        (
            156.0,
            166.0,
            "The rods are centrifuged at 9,000 × g for 20 minutes in a rotor held at "
            "28 degrees Celsius.",
        ),
        (
            166.0,
            174.0,
            "The supernatant is discarded, and the pellet is resuspended in 5 mL of 1 mM CTAB.",
        ),
        (
            174.0,
            182.0,
            "A second wash lowers free CTAB enough for spectroscopy and TEM while "
            "keeping the rods dispersed.",
        ),
        (
            182.0,
            192.0,
            "For UV-Vis, 100 µL of the rods is diluted 1:10 with 900 µL of water and "
            "measured in a 1 cm cuvette.",
        ),
        (
            192.0,
            201.0,
            "The spectrum shows a transverse band at 512 nm and a longitudinal band at "
            "760 nm, where the absorbance reads 0.42.",
        ),
        (
            201.0,
            212.0,
            "TEM gives rods of 48 ± 5 nm by 14 ± 2 nm, an aspect ratio of about 3.4, "
            "with fewer than 5 percent spheres.",
        ),
    ),
    manuscript=_MANUSCRIPT_1,
)

# ---------------------------------------------------------------------------------------------
# demo-2: Biology / Cell Biology
# ---------------------------------------------------------------------------------------------

_MANUSCRIPT_2 = """\
# Measuring Autophagic Flux by LC3-II Western Blotting in HeLa Cells

## Abstract

Microtubule-associated protein 1 light chain 3 (LC3) is conjugated to phosphatidylethanolamine
during autophagosome formation, converting cytosolic LC3-I into membrane-bound LC3-II. Because
LC3-II is also degraded in autolysosomes, its steady-state level does not by itself reveal
autophagic activity. This protocol measures flux as the additional LC3-II that accumulates
when lysosomal degradation is blocked with bafilomycin A1, and compares nutrient-rich with
amino acid-starved HeLa cells.

## Protocol

1. Treatment. Grow HeLa cells in 6-well plates to 70% confluence. Replace the medium with full
   medium or EBSS for 2 h, adding 100 nM bafilomycin A1 to half of the wells at the change.
2. Lysis. On ice, wash twice with cold PBS and lyse each well in 120 µL of RIPA buffer with
   protease inhibitors. Clear at 14,000 × g for 10 min at 4 °C and measure protein by BCA.
3. Electrophoresis. Load 20 µg of protein per lane in 25 µL of 1× Laemmli buffer after 5 min
   at 95 °C. Separate on a 15% gel at 80 V through the stacking gel and 120 V thereafter.
4. Transfer. Activate 0.2 µm PVDF in methanol for 30 s and transfer at 100 V for 60 min in a
   cold room with 20% methanol. Confirm even transfer with Ponceau S.
5. Immunodetection. Block for 1 h in 5% non-fat milk in TBST. Incubate with anti-LC3B diluted
   1:2000 in 5% BSA overnight at 4 °C, wash 3 × 10 min, and apply an HRP-conjugated secondary
   antibody diluted 1:5000 for 1 h.
6. Imaging and analysis. Develop with ECL, acquire a series of non-saturating exposures, and
   quantify LC3-II relative to β-actin (42 kDa) on the same membrane.

## Representative Results

LC3-I and LC3-II resolved as bands near 16 and 14 kDa. Normalized LC3-II was 1.0 in full
medium, 2.1 in full medium with bafilomycin, 1.6 in EBSS and 4.8 in EBSS with bafilomycin. The
bafilomycin-dependent increase, taken as flux, was therefore 1.1 in full medium and 3.2 in
EBSS, indicating that starvation raised autophagic flux roughly threefold.

## Discussion

Comparing LC3-II between conditions without an inhibitor can mislead, since an increase may
come either from induction or from a block in degradation. The inhibitor should be applied
for a period short enough to avoid secondary toxicity, here 2 h. LC3 is small, so membranes
with 0.2 µm pores and limited transfer times are essential, and band intensities must stay
within the linear range of the detector. LC3-II should be normalized to a loading control
rather than to LC3-I, because the antibody detects the two forms with different sensitivity.
"""

_VIDEO_2 = DemoVideo(
    video_id="demo-2",
    title="Measuring Autophagic Flux by LC3-II Western Blotting in HeLa Cells",
    discipline="Biology",
    subject="Cell Biology",
    duration=188.0,
    scenes=(
        (0.0, "Autophagic flux: overview"),
        (12.0, "Starvation and bafilomycin A1"),
        (38.0, "Lysis and BCA protein assay"),
        (66.0, "Resolving LC3 on a 15% gel"),
        (92.0, "Wet transfer to 0.2 µm PVDF"),
        (118.0, "Blocking and antibody incubation"),
        (146.0, "ECL imaging and densitometry"),
    ),
    cues=(
        (
            0.0,
            6.0,
            "A single LC3-II measurement cannot tell whether autophagy has been induced "
            "or whether lysosomal degradation is blocked.",
        ),
        (
            6.0,
            12.0,
            "This protocol therefore compares LC3-II with and without the lysosomal "
            "inhibitor bafilomycin A1.",
        ),
        (
            12.0,
            20.0,
            "HeLa cells at 70 percent confluence in 6-well plates are switched to either "
            "full medium or amino acid-free EBSS for 2 hours.",
        ),
        (
            20.0,
            29.0,
            "Half of the wells in each condition receive 100 nM bafilomycin A1, added "
            "together with the medium change.",
        ),
        (
            29.0,
            38.0,
            "Bafilomycin inhibits the V-ATPase, so lysosomes cannot acidify and LC3-II "
            "delivered to them is no longer degraded.",
        ),
        (
            38.0,
            47.0,
            "Plates are placed on ice, washed twice with cold PBS, and each well is lysed "
            "in 120 µL of RIPA buffer with protease inhibitors.",
        ),
        (
            47.0,
            56.0,
            "Lysates are cleared at 14,000 × g for 10 minutes at 4 degrees Celsius, and "
            "the EBSS plus bafilomycin lysate reads 2.5 µg/µL by BCA assay.",
        ),
        (
            56.0,
            66.0,
            "Each lane receives 20 µg of protein in a final 25 µL of 1× Laemmli buffer "
            "made from a 4× stock, heated at 95 degrees Celsius for 5 minutes.",
        ),
        (
            66.0,
            75.0,
            "Because LC3-I and LC3-II differ only by a lipid anchor, a 15 percent gel is "
            "used to resolve them.",
        ),
        (
            75.0,
            83.0,
            "LC3-II is the heavier form, yet it runs faster, near 14 kDa, while LC3-I "
            "runs near 16 kDa.",
        ),
        (
            83.0,
            92.0,
            "The gel is run at 80 V through the stacking gel and then at 120 V until the "
            "10 kDa marker nears the bottom.",
        ),
        (
            92.0,
            101.0,
            "A 0.2 µm PVDF membrane is activated in methanol for 30 seconds, then "
            "equilibrated in transfer buffer.",
        ),
        (
            101.0,
            110.0,
            "The sandwich is transferred at 100 V for 60 minutes in a cold room, with "
            "20 percent methanol in the buffer.",
        ),
        (
            110.0,
            118.0,
            "Ponceau S staining confirms even transfer across all lanes before blocking.",
        ),
        (
            118.0,
            127.0,
            "The membrane is blocked in 5 percent non-fat milk in TBST for 1 hour at "
            "room temperature.",
        ),
        (
            127.0,
            137.0,
            "The anti-LC3B antibody is diluted 1:2000 in 5 percent BSA and incubated "
            "overnight at 4 degrees Celsius.",
        ),
        (
            137.0,
            146.0,
            "After three 10-minute TBST washes, an HRP-conjugated secondary antibody "
            "diluted 1:5000 is applied for 1 hour.",
        ),
        (
            146.0,
            155.0,
            "ECL substrate is added, and the blot is imaged in a series of exposures "
            "that stay below saturation.",
        ),
        (
            155.0,
            165.0,
            "β-actin at 42 kDa, detected on the same membrane, serves as the loading control.",
        ),
        (
            165.0,
            174.0,
            "Normalized to actin, LC3-II reads 1.0 in full medium, 2.1 with bafilomycin, "
            "1.6 in EBSS, and 4.8 in EBSS with bafilomycin.",
        ),
        (
            174.0,
            188.0,
            "Flux is taken as the rise in LC3-II caused by bafilomycin within each "
            "condition, so starvation is judged by comparing those differences.",
        ),
    ),
    manuscript=_MANUSCRIPT_2,
)

# ---------------------------------------------------------------------------------------------
# demo-3: Medicine / Cardiology
# ---------------------------------------------------------------------------------------------

_MANUSCRIPT_3 = """\
# Transverse Aortic Constriction in Mice with Doppler Verification of the Pressure Gradient

## Abstract

Transverse aortic constriction (TAC) is a widely used model of pressure-overload cardiac
hypertrophy and heart failure. Its reproducibility depends on the degree of constriction,
which varies with surgical technique. This protocol describes TAC through an upper partial
sternotomy in ventilated mice, with the band sized by a 27-gauge spacer, and verification of
each band at day 7 by Doppler measurement of the jet velocity and of carotid flow.

## Protocol

1. Anesthesia. Induce a 10-week-old male C57BL/6 mouse (26 g) with 3% isoflurane and maintain
   at 1.5–2%. Intubate with a 20-gauge catheter and ventilate at 120 breaths/min with a 200 µL
   tidal volume. Keep body temperature at 37 °C.
2. Sternotomy. After eye ointment and three alternating povidone-iodine and alcohol scrubs,
   make a 1 cm midline incision from the suprasternal notch and divide the sternum to the
   second intercostal space.
3. Exposure. Spread the sternum with a retractor, separate the thymus lobes and identify the
   transverse aorta between the brachiocephalic trunk and the left common carotid artery.
4. Banding. Pass a 6-0 silk suture under the arch, lay a blunted 27-gauge needle (0.41 mm
   outer diameter) alongside, tie two square knots and withdraw the needle at once. For
   shams, pass the suture without tying it.
5. Closure and analgesia. Close the sternum with 6-0 and the skin with 5-0 suture, extubate
   when breathing resumes, and give buprenorphine at 0.1 mg/kg subcutaneously from a
   0.03 mg/mL working solution. Check the mouse every 15 min for 2 h on a warming pad.
6. Verification. At day 7, under 1.5% isoflurane, record pulsed-wave Doppler distal and
   proximal to the band with a 40 MHz transducer, and measure flow in both carotid arteries.

## Representative Results

In the example mouse, peak velocity was 3.8 m/s distal to the band and 0.9 m/s proximal,
giving an estimated gradient of 58 mmHg with the simplified Bernoulli equation (ΔP = 4v²).
Right and left carotid velocities were 96 and 16 cm/s, a ratio of 6.0. Mice with a gradient
below 40 mmHg or a carotid ratio below 5 were excluded before follow-up.

## Discussion

The spacer defines the residual lumen, so the same needle gauge must be used across a study
and the needle must be removed immediately after tying. The most common failures are tearing
of the arch while passing the forceps and a loose knot, which appears as a low gradient at
day 7. Ventilation is required because the pleura may be opened during the sternotomy.
Verifying each band before follow-up reduces variability in the hypertrophic response and
allows the gradient to be used as a covariate.
"""

_VIDEO_3 = DemoVideo(
    video_id="demo-3",
    title="Transverse Aortic Constriction in Mice with Doppler Verification of the Gradient",
    discipline="Medicine",
    subject="Cardiology",
    duration=236.0,
    scenes=(
        (0.0, "Pressure-overload model overview"),
        (14.0, "Anesthesia and intubation"),
        (46.0, "Upper partial sternotomy"),
        (76.0, "Exposing the transverse aorta"),
        (104.0, "Ligation against a 27G spacer"),
        (140.0, "Closure and analgesia"),
        (172.0, "Doppler gradient at day 7"),
        (208.0, "Carotid flow ratio and exclusion"),
    ),
    cues=(
        (
            0.0,
            7.0,
            "Transverse aortic constriction, or TAC, imposes a fixed pressure overload "
            "on the left ventricle of the mouse.",
        ),
        (
            7.0,
            14.0,
            "The severity of each band is verified without opening the chest, by Doppler "
            "ultrasound one week after surgery.",
        ),
        (
            14.0,
            23.0,
            "A 10-week-old male C57BL/6 mouse weighing 26 g is induced with 3 percent "
            "isoflurane and maintained at 1.5 to 2 percent in oxygen.",
        ),
        (
            23.0,
            32.0,
            "The mouse is intubated with a 20-gauge catheter and ventilated at 120 breaths "
            "per minute with a tidal volume of 200 µL.",
        ),
        (
            32.0,
            39.0,
            "A rectal probe and a heating pad keep body temperature at 37 degrees Celsius "
            "throughout the procedure.",
        ),
        (
            39.0,
            46.0,
            "Eye ointment is applied, and the upper chest is shaved and scrubbed three "
            "times alternately with povidone-iodine and alcohol.",
        ),
        (
            46.0,
            56.0,
            "A 1 cm midline skin incision is made from the suprasternal notch toward the "
            "second rib.",
        ),
        (
            56.0,
            66.0,
            "The sternum is divided down to the second intercostal space, staying in the "
            "midline to spare the internal thoracic arteries.",
        ),
        (
            66.0,
            76.0,
            "A small retractor spreads the sternal edges, and the thymus lobes are gently "
            "separated to expose the aortic arch.",
        ),
        (
            76.0,
            85.0,
            "The transverse aorta is identified between the brachiocephalic trunk and the "
            "left common carotid artery.",
        ),
        (
            85.0,
            94.0,
            "Curved blunt forceps are passed under the arch at this segment, taking care "
            "not to tear its thin wall.",
        ),
        (94.0, 104.0, "A 6-0 silk suture is grasped and drawn back under the aorta."),
        (
            104.0,
            114.0,
            "A blunted 27-gauge needle, 0.41 mm in outer diameter, is laid on top of the "
            "arch, parallel to the vessel.",
        ),
        (
            114.0,
            123.0,
            "The suture is tied with two square knots around both the aorta and the "
            "needle, and the needle is withdrawn at once.",
        ),
        (
            123.0,
            132.0,
            "This leaves a lumen close to the needle's diameter, whereas the arch at this "
            "level measures about 1.2 mm.",
        ),
        (
            132.0,
            140.0,
            "In sham-operated mice the suture is passed under the arch in the same way "
            "but not tied.",
        ),
        (
            140.0,
            149.0,
            "The retractor is removed, the sternum is closed with 6-0 suture, and the "
            "skin with 5-0 suture.",
        ),
        (
            149.0,
            157.0,
            "Isoflurane is stopped, and the mouse is extubated as soon as it breathes "
            "spontaneously.",
        ),
        (
            157.0,
            165.0,
            "Buprenorphine is given subcutaneously at 0.1 mg/kg, using a 0.3 mg/mL stock "
            "diluted 1:10 to 0.03 mg/mL in sterile saline.",
        ),
        (
            165.0,
            172.0,
            "The mouse recovers in a cage half-placed on a warming pad and is checked "
            "every 15 minutes for 2 hours.",
        ),
        (
            172.0,
            181.0,
            "Seven days later, the mouse is imaged under 1.5 percent isoflurane with a "
            "40 MHz transducer from a suprasternal window.",
        ),
        (
            181.0,
            190.0,
            "Pulsed-wave Doppler is placed just distal to the band, where the jet reaches "
            "its highest velocity.",
        ),
        (
            190.0,
            199.0,
            "Peak velocity here reads 3.8 meters per second, compared with 0.9 meters per "
            "second just proximal to the band.",
        ),
        (
            199.0,
            208.0,
            "The pressure gradient is estimated with the simplified Bernoulli equation, "
            "four times the peak velocity squared.",
        ),
        (
            208.0,
            217.0,
            "Flow velocity is also measured in both common carotid arteries, reading "
            "96 cm/s on the right and 16 cm/s on the left.",
        ),
        (217.0, 226.0, "A right-to-left ratio above 5 confirms an effective constriction."),
        (
            226.0,
            236.0,
            "Mice with a gradient below 40 mmHg are excluded before follow-up, so every "
            "banded group starts from a comparable load.",
        ),
    ),
    manuscript=_MANUSCRIPT_3,
)

# ---------------------------------------------------------------------------------------------
# demo-4: Physics / Optics
# ---------------------------------------------------------------------------------------------

_MANUSCRIPT_4 = """\
# Calibrating Optical Tweezers Stiffness from the Power Spectrum of a Trapped Bead

## Abstract

Optical tweezers measure piconewton forces by treating the trap as a linear spring, so every
force measurement depends on an accurate stiffness. This protocol calibrates the stiffness of
a 1064 nm trap from the Brownian motion of a 1.0 µm silica bead, recorded by back-focal-plane
interferometry. The power spectrum of the bead's position is fitted with a Lorentzian, and the
corner frequency is converted to stiffness using the bead's hydrodynamic drag.

## Protocol

1. Sample. Dilute 1.0 µm silica beads 1:1000 in deionized water, sonicate for 2 min and load
   20 µL into a tape-spaced flow chamber sealed with vacuum grease.
2. Trapping. Mount the chamber on a piezo stage above a 1.2 NA water-immersion objective at
   25 °C. Set the laser to 100 mW at the sample plane and trap a single bead.
3. Height. Touch the bead to the coverslip to locate the surface, then raise the focus by 5 µm.
4. Detection. Image the back focal plane of the condenser onto a quadrant photodiode and zero
   the difference signal with the bead trapped.
5. Recording. Sample the x signal at 50 kHz for 10 s through a 20 kHz anti-aliasing filter.
6. Analysis. Divide the record into 100 segments of 0.1 s, average their power spectra and fit
   a Lorentzian to obtain the corner frequency fc. Compute the stiffness as κ = 2πγfc with
   γ = 8.4 × 10^-9 N·s/m.
7. Power series. Repeat steps 5 and 6 at 50, 150 and 200 mW.

## Representative Results

At 100 mW the averaged spectrum had a corner frequency of 600 Hz, giving a stiffness of about
32 pN/µm. Corner frequencies at 50, 150 and 200 mW were 300, 905 and 1,190 Hz, so the
stiffness scaled linearly with laser power over the range tested.

## Discussion

The drag coefficient assumes that the bead is far from any surface; at 5 µm the wall raises
it by less than 10%, but closer to the coverslip a Faxén correction is required. Sampling
must extend well beyond the corner frequency, and an anti-aliasing filter prevents
high-frequency power from folding back into the fitted band. Averaging many short spectra is
essential because a single periodogram scatters by as much as its own mean. The calibration
is specific to the bead size, medium and temperature, and should be repeated whenever any of
these change.
"""

_VIDEO_4 = DemoVideo(
    video_id="demo-4",
    title="Calibrating Optical Tweezers Stiffness from the Power Spectrum of a Trapped Bead",
    discipline="Physics",
    subject="Optics",
    duration=154.0,
    scenes=(
        (0.0, "Optical trap as a linear spring"),
        (14.0, "Bead sample and flow chamber"),
        (36.0, "Trapping and height setting"),
        (58.0, "Back-focal-plane detection"),
        (80.0, "Recording and spectral averaging"),
        (100.0, "Lorentzian fit and corner frequency"),
        (126.0, "Stiffness versus laser power"),
    ),
    cues=(
        (
            0.0,
            7.0,
            "For small displacements, an optical trap pulls a bead back toward its center "
            "like a Hookean spring.",
        ),
        (
            7.0,
            14.0,
            "Here the trap stiffness is calibrated from the thermal motion of a trapped "
            "bead, without applying any external force.",
        ),
        (
            14.0,
            22.0,
            "Silica beads 1.0 µm in diameter are diluted 1:1000 in deionized water and "
            "sonicated for 2 minutes to break up clusters.",
        ),
        (
            22.0,
            29.0,
            "Twenty microliters are loaded into a flow chamber made from a coverslip and "
            "two strips of double-sided tape, then sealed with vacuum grease.",
        ),
        (
            29.0,
            36.0,
            "The chamber sits on a piezo stage above a water-immersion objective with a "
            "numerical aperture of 1.2, at 25 degrees Celsius.",
        ),
        (
            36.0,
            44.0,
            "A 1064 nm laser is set to 100 mW at the sample plane, and a single freely "
            "diffusing bead is captured.",
        ),
        (
            44.0,
            51.0,
            "The bead is brought to touch the coverslip to locate the surface, and the "
            "focus is then raised so the bead sits 5 µm above it.",
        ),
        (51.0, 58.0, "At this height, the wall increases the bead's drag by less than 10 percent."),
        (
            58.0,
            66.0,
            "Forward-scattered light is collected by the condenser and imaged onto a "
            "quadrant photodiode in its back focal plane.",
        ),
        (
            66.0,
            73.0,
            "Interference between scattered and unscattered light makes the difference "
            "signal proportional to the bead's displacement from the trap center.",
        ),
        (
            73.0,
            80.0,
            "Before recording, the detector is zeroed so that the trapped bead gives no "
            "difference signal.",
        ),
        (
            80.0,
            90.0,
            "The x signal is sampled at 50 kHz for 10 seconds through an anti-aliasing "
            "filter set to 20 kHz.",
        ),
        (
            90.0,
            100.0,
            "The record is cut into 100 segments of 0.1 seconds, and their power spectra "
            "are averaged.",
        ),
        (
            100.0,
            108.0,
            "The averaged spectrum is flat at low frequency and falls as one over "
            "frequency squared above a knee.",
        ),
        (108.0, 117.0, "A Lorentzian fit places this corner frequency at 600 Hz for 100 mW."),
        (
            117.0,
            126.0,
            "With a drag coefficient of 8.4 × 10^-9 N·s/m for this bead in water, "
            "stiffness equals 2π times drag times corner frequency.",
        ),
        (126.0, 135.0, "This gives about 32 pN/µm at 100 mW."),
        (
            135.0,
            144.0,
            "Repeating the recording at 50, 150 and 200 mW gives corner frequencies of "
            "300, 905 and 1,190 Hz.",
        ),
        (
            144.0,
            154.0,
            "Stiffness therefore scales linearly with laser power, so one calibration "
            "slope can be used for later force measurements.",
        ),
    ),
    manuscript=_MANUSCRIPT_4,
)

# ---------------------------------------------------------------------------------------------
# demo-5: Bioengineering / Biomaterials
# ---------------------------------------------------------------------------------------------

_MANUSCRIPT_5 = """\
# Droplet Microfluidic Encapsulation of Single Cells in Alginate Microgels

## Abstract

Single-cell microgels give each cell its own three-dimensional niche and allow cells to be
cultured, imaged and sorted individually. This protocol produces 40 µm alginate microgels in
a flow-focusing PDMS device. Calcium is loaded into the alginate as a calcium-EDTA complex and
released by acetic acid diffusing from the oil, which gels each droplet uniformly from within.
The emulsion is then broken with perfluorooctanol and the microgels are returned to medium.

## Protocol

1. Device fabrication. Mix curing agent and PDMS base at a ratio of 1:10 by weight, cast on
   an SU-8 master with 40 µm channels and cure at 65 °C for 2 h. Bond to glass after 30 s of
   oxygen plasma and treat the channels with a fluorosilane.
2. Solutions. Prepare 2% w/v alginate with 50 mM calcium-EDTA in HEPES-buffered saline,
   pH 7.2. Suspend cells at 1.0 × 10^7 per mL in medium with 16% OptiPrep. Prepare HFE-7500
   with 1% fluorosurfactant and 0.05% acetic acid.
3. Droplet generation. Drive the cell and alginate streams at 1.0 µL/min each and the oil at
   12 µL/min.
4. Gelation and collection. Allow gelation along the delay channel and collect the emulsion
   for 20 min under a layer of culture medium.
5. Emulsion breaking. Remove the oil, add perfluorooctanol in HFE-7500 (1:4, v/v), and wash
   the gels three times at 200 × g for 2 min.
6. Analysis. Stain with calcein-AM and ethidium homodimer and score at least 500 gels.

## Representative Results

Droplets were 40 µm in diameter with a coefficient of variation below 3% and formed at about
1,000 per second. Of 500 scored gels, 85% were empty, 14% held one cell and about 1% held two
or more, close to the Poisson expectation for a mean of 0.17 cells per droplet. Viability was
91% at 2 h and 88% after 3 days of culture.

## Discussion

Loading density is a trade-off: more cells fill more gels but also raise multiple occupancy,
so a mean between 0.1 and 0.2 is typical when single cells are required, and empty gels can
be removed later by sorting. Density matching with OptiPrep keeps the supply of cells steady
throughout collection. Exposure to acid should be brief, and gels should be washed into
buffered medium promptly. The channels must be hydrophobic; devices used without surface
treatment are wetted by the aqueous phase and produce irregular droplets.
"""

_VIDEO_5 = DemoVideo(
    video_id="demo-5",
    title="Droplet Microfluidic Encapsulation of Single Cells in Alginate Microgels",
    discipline="Bioengineering",
    subject="Biomaterials",
    duration=197.0,
    scenes=(
        (0.0, "Single-cell microgels: overview"),
        (13.0, "PDMS chip fabrication"),
        (40.0, "Alginate, cell and oil phases"),
        (72.0, "Flow-focusing droplet generation"),
        (104.0, "Internal gelation by acid release"),
        (130.0, "Breaking the emulsion"),
        (160.0, "Occupancy and viability imaging"),
    ),
    cues=(
        (
            0.0,
            6.5,
            "Encapsulating single cells in micrometer-scale alginate gels lets each cell "
            "be cultured, imaged and sorted as an individual unit.",
        ),
        (
            6.5,
            13.0,
            "Here, droplets are formed in a flow-focusing chip and gelled from the inside "
            "by a slow release of calcium.",
        ),
        (
            13.0,
            21.0,
            "Curing agent and PDMS base are mixed at a ratio of 1:10 by weight, poured over "
            "an SU-8 master with 40 µm tall channels, and cured at 65 degrees Celsius for "
            "2 hours.",
        ),
        (
            21.0,
            30.0,
            "The slab is punched, bonded to glass after a 30-second oxygen plasma, and the "
            "40 µm wide junction is checked under the microscope.",
        ),
        (
            30.0,
            40.0,
            "The channels are then filled with a fluorosilane coating and baked, making "
            "the walls hydrophobic and fluorophilic.",
        ),
        (
            40.0,
            49.0,
            "The alginate inlet holds 2 percent w/v alginate in HEPES-buffered saline with "
            "50 mM calcium-EDTA complex at pH 7.2.",
        ),
        (
            49.0,
            58.0,
            "Mesenchymal stromal cells are suspended at 1.0 × 10^7 cells per mL in medium "
            "containing 16 percent OptiPrep, which matches the cells' density.",
        ),
        (
            58.0,
            65.0,
            "The continuous phase is HFE-7500 oil with 1 percent fluorosurfactant and "
            "0.05 percent acetic acid.",
        ),
        (
            65.0,
            72.0,
            "The cell and alginate streams meet in a 1:1 co-flow just before the junction, "
            "so cells contact alginate only briefly before droplets form.",
        ),
        (
            72.0,
            81.0,
            "Syringe pumps drive each aqueous stream at 1.0 µL/min and the oil at 12 µL/min.",
        ),
        (
            81.0,
            90.0,
            "At the flow-focusing junction, the oil squeezes the aqueous thread, and "
            "droplets pinch off at regular intervals.",
        ),
        (
            90.0,
            97.0,
            "Droplets measure 40 µm in diameter, with a coefficient of variation below 3 percent.",
        ),
        (97.0, 104.0, "A high-speed camera records about 1,000 droplets per second."),
        (
            104.0,
            113.0,
            "Along the delay channel, acetic acid diffuses from the oil into each droplet "
            "and lowers its pH.",
        ),
        (
            113.0,
            121.0,
            "The acid frees calcium from EDTA, and the calcium crosslinks the alginate "
            "evenly through the droplet rather than only at its surface.",
        ),
        (
            121.0,
            130.0,
            "The emulsion is collected for 20 minutes into a tube under a layer of culture medium.",
        ),
        (
            130.0,
            139.0,
            "The oil is drawn off, and a 1:4 (v/v) mixture of perfluorooctanol and "
            "HFE-7500 is added to break the emulsion.",
        ),
        (
            139.0,
            148.0,
            "Within a minute, the microgels move into the medium, and they are washed "
            "three times at 200 × g for 2 minutes.",
        ),
        (
            148.0,
            160.0,
            "Washing into buffered medium promptly restores neutral pH, which is "
            "essential for cell viability.",
        ),
        (
            160.0,
            170.0,
            "Calcein-AM and ethidium homodimer mark live and dead cells, and 500 "
            "microgels are scored on a fluorescence microscope.",
        ),
        (
            170.0,
            180.0,
            "85 percent of gels are empty, 14 percent hold one cell, and about 1 percent "
            "hold two or more.",
        ),
        (
            180.0,
            188.0,
            "Viability of encapsulated cells is 91 percent at 2 hours and 88 percent "
            "after 3 days of culture.",
        ),
        (
            188.0,
            197.0,
            "Raising the cell density would fill more gels, but also raise the share "
            "holding more than one cell, as Poisson statistics predict.",
        ),
    ),
    manuscript=_MANUSCRIPT_5,
)

VIDEOS: tuple[DemoVideo, ...] = (_VIDEO_1, _VIDEO_2, _VIDEO_3, _VIDEO_4, _VIDEO_5)

_CONCEPTUAL = "Conceptual Reasoning"
_HYPOTHETICAL = "Hypothetical Reasoning"
_QUANTITATIVE = "Quantitative Reasoning"

_DEMO_1_QUESTIONS: tuple[dict[str, object], ...] = (
    {
        "video_id": "demo-1",
        "question_id": "1",
        "question": (
            "Between 02:04 and 02:20, the growth solution turns from dark yellow-orange to "
            "colorless after ascorbic acid is added, before any seed has been introduced. What "
            "does this step accomplish in the design of the synthesis?"
        ),
        "options": {
            "A": "Ascorbic acid reduces the silver ions to metallic clusters that act as extra "
            "nuclei for rods",
            "B": "Ascorbic acid reduces gold(III) fully to gold(0) clusters too small to absorb "
            "visible light",
            "C": "Ascorbic acid displaces bromide from the gold complex, so the color change is "
            "ligand exchange only",
            "D": "Gold(III) is reduced only to gold(I), which cannot go further unless a seed "
            "surface catalyzes it",
            "E": "The acid lowers the pH enough to protonate CTAB, which bleaches the "
            "gold–surfactant complex",
            "F": "Ascorbic acid destroys the excess borohydride carried over from the seed "
            "solution before seeding",
            "G": "Gold(III) precipitates as a colorless gold–CTAB salt that redissolves once "
            "seeds are introduced",
            "H": "Silver ions are complexed by ascorbate, removing the orange color of silver "
            "bromide from the vial",
            "I": "Ascorbic acid oxidizes gold(I) to gold(III), the state that binds "
            "preferentially to rod ends",
            "J": "Ascorbic acid breaks up the CTAB micelles, releasing gold in a form that no "
            "longer absorbs light",
        },
        "answer": "D",
        "question_type": _CONCEPTUAL,
        "discipline": "Chemistry",
        "subject": "Nanomaterials",
        "timestamp_breakdown": [
            "02:04-02:14: 70 µL of 79 mM ascorbic acid is added and the solution turns colorless",
            "02:14-02:20: gold(III) is reduced only to gold(I); no particles form yet",
            "02:20-02:28: 12 µL of aged seed is added to start growth",
        ],
        "rationale": (
            "The narration at 02:14–02:20 states that gold(III) has been reduced only to "
            "gold(I) and that no particles form; reduction to gold(0) starts only once seed is "
            "added at 02:20, because the mild reductant needs a metal surface to catalyze the "
            "last step, which confines growth to the seeds. Option B is the nearest distractor, "
            "but gold(0) formed without seeds would nucleate independent particles, defeating "
            "seed-controlled growth."
        ),
    },
    {
        "video_id": "demo-1",
        "question_id": "2",
        "question": (
            "The seed solution is aged for 30 minutes between 01:06 and 01:15. If the seeds had "
            "instead been added to the growth solution at 02:20 immediately after the 2-minute "
            "stirring that ends at 01:06, what would most likely happen?"
        ),
        "options": {
            "A": "The rods would be longer, because fresh seeds carry more silver ions onto "
            "their tips",
            "B": "Nothing measurable would change, because borohydride is used up within the "
            "2-minute stir",
            "C": "The growth solution would stay colorless, because fresh seeds are not yet "
            "catalytically active",
            "D": "The rods would be thinner, because fresh seeds are smaller and the width "
            "follows the seed size",
            "E": "Residual borohydride would oxidize the ascorbic acid, leaving gold(I) "
            "unreduced and no rods",
            "F": "CTAB would crystallize around the fresh seeds, since they are still cold "
            "from the ice bath",
            "G": "Residual borohydride would reduce gold(I) directly, nucleating new particles "
            "and more spheres",
            "H": "The seeds would aggregate at once, because their CTAB bilayer forms only "
            "during the aging period",
            "I": "The longitudinal band would blue-shift, because fresh seeds are twinned and "
            "favor spheres",
            "J": "Growth would be faster but give the same rods, because aging only sets how "
            "quickly rods appear",
        },
        "answer": "G",
        "question_type": _HYPOTHETICAL,
        "discipline": "Chemistry",
        "subject": "Nanomaterials",
        "timestamp_breakdown": [
            "00:48-00:57: 0.60 mL of cold 10 mM NaBH4 is injected in a single shot",
            "01:06-01:15: seeds aged 30 min at 27 °C so excess borohydride decomposes",
            "02:20-02:28: 12 µL of aged seed added to the growth solution",
        ],
        "rationale": (
            "The narration at 01:06–01:15 gives the reason for aging: the excess borohydride "
            "must decompose. Carried into the growth solution at 02:20, that strong reductant "
            "would reduce the gold(I) left at 02:14–02:20 without any seed surface, creating new "
            "nuclei that grow into spheres and lower the rod yield. Option B is wrong because "
            "the narration says the excess needs the 30-minute aging, not the 2-minute stir, "
            "to disappear."
        ),
    },
    {
        "video_id": "demo-1",
        "question_id": "3",
        "question": (
            "Between 02:36 and 02:46, the rods are centrifuged in a rotor held at 28 °C rather "
            "than in a refrigerated rotor at 4 °C, as is common for protein work. What is the "
            "main reason?"
        ),
        "options": {
            "A": "Cold raises the viscosity of water so much that the rods would not pellet "
            "within 20 minutes",
            "B": "At about 0.1 M, CTAB falls below its Krafft point in the cold and "
            "crystallizes, trapping the rods",
            "C": "Gold nanorods reshape into spheres below 10 °C, because their side facets "
            "become unstable",
            "D": "Silver on the rod tips dissolves in the cold, so the rods would shorten "
            "during the spin",
            "E": "Leftover ascorbic acid reduces gold faster at 4 °C, so growth would restart "
            "during the spin",
            "F": "Cold makes the rods denser than water, so they would pellet too hard to be "
            "resuspended",
            "G": "The 28 °C setting matches the growth temperature, so the longitudinal band "
            "does not shift back",
            "H": "CTAB micelles dissolve in the cold, stripping the bilayer and letting rods "
            "fuse end-to-end",
            "I": "Refrigerated rotors cannot reach 9,000 × g, so the warmer setting is only a "
            "hardware limit",
            "J": "At 4 °C water contracts enough to change the 1 mM CTAB used for "
            "resuspending the pellet",
        },
        "answer": "B",
        "question_type": _CONCEPTUAL,
        "discipline": "Chemistry",
        "subject": "Nanomaterials",
        "timestamp_breakdown": [
            "01:24-01:33: growth solution kept at 30 °C in a glass vial",
            "02:36-02:46: rods centrifuged at 9,000 × g for 20 min in a rotor at 28 °C",
        ],
        "rationale": (
            "The growth solution contains about 0.1 M CTAB, which is why it is held at 30 °C "
            "from 01:24 and spun at 28 °C at 02:36–02:46. Below its Krafft temperature, near "
            "25 °C, CTAB crystallizes out of solution and the crystals co-sediment with and "
            "entrap the rods. Option H inverts the physics: cold does not dissolve the "
            "surfactant layer but precipitates the surfactant itself."
        ),
    },
    {
        "video_id": "demo-1",
        "question_id": "3",
        "question": (
            "Between 03:02 and 03:21, the purified rods are diluted 1:10 (100 µL into 900 µL of "
            "water) and the longitudinal band is read in a 1 cm cuvette. Taking the extinction "
            "coefficient at that band as 4.6 × 10^9 M^-1 cm^-1, what is the nanorod "
            "concentration of the undiluted suspension?"
        ),
        "options": {
            "A": "0.091 nM",
            "B": "0.18 nM",
            "C": "0.46 nM",
            "D": "0.82 nM",
            "E": "0.91 nM",
            "F": "1.0 nM",
            "G": "1.8 nM",
            "H": "4.2 nM",
            "I": "9.1 nM",
            "J": "18 nM",
        },
        "answer": "E",
        "question_type": _QUANTITATIVE,
        "discipline": "Chemistry",
        "subject": "Nanomaterials",
        "timestamp_breakdown": [
            "03:02-03:12: 100 µL of rods diluted 1:10 with 900 µL of water; 1 cm cuvette",
            "03:12-03:21: longitudinal band at 760 nm reads an absorbance of 0.42",
        ],
        "rationale": (
            "By Beer–Lambert, the diluted sample read at 03:12–03:21 holds 0.42 / (4.6 × 10^9 "
            "M^-1 cm^-1 × 1 cm) ≈ 0.091 nM of rods, and the tenfold dilution at 03:02–03:12 "
            "(100 µL in 1 mL total) raises this to 0.91 nM. Option A is the diluted value "
            "without the correction, and option D (0.82 nM) multiplies by the 9-fold volume of "
            "water instead of the 10-fold total volume."
        ),
    },
    {
        "video_id": "demo-1",
        "question_id": "4",
        "question": (
            "Using the volumes and concentrations narrated between 01:24 and 02:14, what is the "
            "molar ratio of ascorbic acid to gold in the growth solution just before the seed "
            "is added?"
        ),
        "options": {
            "A": "0.28",
            "B": "0.55",
            "C": "0.70",
            "D": "0.90",
            "E": "1.0",
            "F": "1.1",
            "G": "1.4",
            "H": "2.2",
            "I": "5.5",
            "J": "11",
        },
        "answer": "F",
        "question_type": _QUANTITATIVE,
        "discipline": "Chemistry",
        "subject": "Nanomaterials",
        "timestamp_breakdown": [
            "01:43-01:53: 5.0 mL of 1.0 mM HAuCl4 is added",
            "02:04-02:14: 70 µL of 79 mM ascorbic acid is added",
        ],
        "rationale": (
            "The vial receives 5.0 mL × 1.0 mM = 5.0 µmol of gold at 01:43–01:53 and "
            "70 µL × 79 mM ≈ 5.5 µmol of ascorbic acid at 02:04–02:14, a ratio of about 1.1. "
            "Option H (2.2) comes from using the 0.50 mM gold stock of the seed step instead of "
            "the 1.0 mM growth stock, and option I (5.5) is the amount of ascorbic acid in "
            "micromoles rather than a ratio."
        ),
    },
    {
        "video_id": "demo-1",
        "question_id": "5",
        "question": (
            "At 01:33 the growth solution receives 0.20 mL of 4.0 mM silver nitrate. If this "
            "had been raised to 0.30 mL with every other step unchanged, how would the spectrum "
            "recorded between 03:12 and 03:21 most likely change?"
        ),
        "options": {
            "A": "Both bands would shift to longer wavelengths by the same amount, since the "
            "rods would just be larger",
            "B": "The transverse band would red-shift strongly while the longitudinal band "
            "stayed at 760 nm",
            "C": "The longitudinal band would blue-shift, because silver on the ends stops "
            "growth and shortens the rods",
            "D": "The spectrum would be unchanged, since silver affects only the yield and not "
            "the rod dimensions",
            "E": "A silver band near 400 nm would dominate, and the band at 760 nm would "
            "disappear entirely",
            "F": "The longitudinal band would weaken and broaden at 760 nm, reflecting greater "
            "polydispersity only",
            "G": "The two bands would merge near 530 nm, because excess silver blocks "
            "anisotropic growth",
            "H": "The transverse band would vanish, because more silver removes the side "
            "facets of the rods",
            "I": "The longitudinal band would red-shift only if the seed volume at the seeding "
            "step also rose",
            "J": "The longitudinal band would red-shift beyond 760 nm while the transverse band "
            "stayed near 512 nm",
        },
        "answer": "J",
        "question_type": _HYPOTHETICAL,
        "discipline": "Chemistry",
        "subject": "Nanomaterials",
        "timestamp_breakdown": [
            "00:07-00:14: silver dose sets the rod length; width stays near 14 nm",
            "01:33-01:43: 0.20 mL of 4.0 mM silver nitrate is added",
            "03:12-03:21: transverse band at 512 nm, longitudinal band at 760 nm",
        ],
        "rationale": (
            "The narration at 00:07–00:14 states that the silver dose sets the rod length while "
            "the width stays near 14 nm, so within the working range more silver gives longer "
            "rods of higher aspect ratio. That red-shifts the longitudinal band beyond 760 nm, "
            "while the transverse band, set by the unchanged width, stays near 512 nm "
            "(03:12–03:21). Option A is wrong because the width, and hence the transverse band, "
            "does not change."
        ),
    },
    {
        "video_id": "demo-1",
        "question_id": "6",
        "question": (
            "Between 00:40 and 00:57, sodium borohydride is prepared ice-cold just before use "
            "and injected in a single shot under stirring at 1,200 rpm. Why is this done for "
            "the seeds but not in the growth step?"
        ),
        "options": {
            "A": "A burst of strong reductant nucleates many small, uniform seeds; growth must "
            "avoid new nuclei",
            "B": "Borohydride must be cold to dissolve, and growth uses ascorbic acid only "
            "because it is cheaper",
            "C": "Fast injection keeps CTAB from foaming, which matters only in the smaller "
            "seed volume",
            "D": "In growth a strong reductant is added slowly, so rods lengthen in proportion "
            "to injection time",
            "E": "Cold borohydride reduces silver preferentially, which the seeds need but the "
            "growth step does not",
            "F": "Single-shot injection preserves the gold–bromide complex, which is needed to "
            "make twinned seeds",
            "G": "The stirring sets the seed diameter near 14 nm, which later fixes the width "
            "of the grown rods",
            "H": "Ice-cold borohydride raises the pH of the seed solution, stabilizing the CTAB "
            "bilayer on seeds",
            "I": "A single shot limits hydrogen evolution, which would otherwise foam the "
            "growth solution later",
            "J": "Rapid injection lets borohydride decompose before it meets gold, so seeds "
            "form via ascorbate",
        },
        "answer": "A",
        "question_type": _CONCEPTUAL,
        "discipline": "Chemistry",
        "subject": "Nanomaterials",
        "timestamp_breakdown": [
            "00:40-00:48: NaBH4 dissolved to 10 mM in ice-cold water just before use",
            "00:48-00:57: 0.60 mL injected in a single shot; solution turns brownish-yellow",
            "02:04-02:14: growth step uses mild ascorbic acid instead",
        ],
        "rationale": (
            "Borohydride is a strong reductant that decomposes in water, so it is made "
            "ice-cold at 00:40–00:48 and added all at once at 00:48–00:57 to reduce the gold "
            "almost instantly; simultaneous nucleation gives many small seeds of uniform size. "
            "The growth step at 02:04–02:14 uses mild ascorbic acid precisely to avoid new "
            "nucleation. Option G is wrong because the seeds are only a few nanometers across; "
            "the 14 nm width arises during growth."
        ),
    },
)

_DEMO_2_QUESTIONS: tuple[dict[str, object], ...] = (
    {
        "video_id": "demo-2",
        "question_id": "1",
        "question": (
            "Between 01:06 and 01:23, the narrator notes that LC3-II, although heavier than "
            "LC3-I, runs faster, and a 15% gel is chosen. What explains both observations?"
        ),
        "options": {
            "A": "LC3-II loses its C-terminal peptide on lipidation, so it is really the "
            "lighter form of the two",
            "B": "LC3-II carries more positive charge, so it binds less SDS and needs a dense "
            "gel to stay in lanes",
            "C": "LC3-II forms dimers in SDS, which a high-percentage gel dissociates into "
            "faster monomers",
            "D": "The 15% gel is chosen to keep actin at 42 kDa on the gel, and LC3-II runs "
            "ahead by chance",
            "E": "Phosphorylation of LC3-II raises its net charge, and a 15% gel sharpens "
            "phosphorylated bands",
            "F": "LC3-II is glycosylated, which compacts it; only a dense gel separates the "
            "glycoforms from LC3-I",
            "G": "LC3-II is clipped by lysosomal proteases, so a dense gel is needed to "
            "resolve its fragments",
            "H": "The lipid makes LC3-II more hydrophobic and bind more SDS; a dense gel resolves "
            "the small 2 kDa shift",
            "I": "LC3-II stays in membranes that migrate as a unit; the 15% gel strips the "
            "lipid during the run",
            "J": "LC3-I binds the stacking gel more strongly, which delays it; a 15% gel "
            "amplifies the difference",
        },
        "answer": "H",
        "question_type": _CONCEPTUAL,
        "discipline": "Biology",
        "subject": "Cell Biology",
        "timestamp_breakdown": [
            "01:06-01:15: LC3-I and LC3-II differ only by a lipid anchor; a 15% gel is used",
            "01:15-01:23: LC3-II runs near 14 kDa, LC3-I near 16 kDa",
        ],
        "rationale": (
            "At 01:06–01:15 the narrator says the two forms differ only by a lipid anchor, "
            "phosphatidylethanolamine, which makes LC3-II more hydrophobic so that it binds "
            "more SDS and migrates faster, near 14 rather than 16 kDa (01:15–01:23). Because "
            "the bands are only about 2 kDa apart, a high-percentage gel is needed to resolve "
            "them. Option A is wrong because lipidation adds mass; the faster mobility comes "
            "from SDS binding, not from a lighter protein."
        ),
    },
    {
        "video_id": "demo-2",
        "question_id": "2",
        "question": (
            "Suppose that at 02:45 the EBSS plus bafilomycin lane had read 1.7 instead of 4.8, "
            "with the other three normalized values unchanged. What would be the most "
            "defensible conclusion about the EBSS condition?"
        ),
        "options": {
            "A": "Starvation strongly induced autophagy, since LC3-II in EBSS (1.6) exceeds "
            "full medium (1.0)",
            "B": "Bafilomycin failed in every well, so none of the four lanes could be "
            "interpreted at all",
            "C": "The rise in LC3-II under EBSS would reflect impaired degradation, not "
            "increased autophagic flux",
            "D": "Flux in EBSS would be about three times that in full medium, as in the "
            "original experiment",
            "E": "EBSS and full medium would have equal flux, since both conditions still show "
            "a bafilomycin effect",
            "F": "EBSS would be shown to block LC3 lipidation, so LC3-I should accumulate in "
            "those lanes instead",
            "G": "The loading control must have failed, because LC3-II cannot fall below 2.1 "
            "under bafilomycin",
            "H": "Autophagy would be induced but degradation faster, so no inhibitor effect "
            "would be expected",
            "I": "Flux would be unchanged, because flux depends only on the lane without "
            "bafilomycin",
            "J": "The difference would reflect cell death in EBSS, since dying cells stop "
            "expressing LC3",
        },
        "answer": "C",
        "question_type": _HYPOTHETICAL,
        "discipline": "Biology",
        "subject": "Cell Biology",
        "timestamp_breakdown": [
            "00:29-00:38: bafilomycin blocks lysosomal degradation of LC3-II",
            "02:45-02:54: LC3-II/actin 1.0 full, 2.1 with bafilomycin, 1.6 EBSS, 4.8 EBSS "
            "with bafilomycin",
            "02:54-03:08: flux is the bafilomycin-induced rise within each condition",
        ],
        "rationale": (
            "With the altered value, the bafilomycin-induced rise would be 1.7 − 1.6 = 0.1 in "
            "EBSS against 2.1 − 1.0 = 1.1 in full medium, using the definition of flux at "
            "02:54–03:08. Almost no further accumulation when lysosomes are blocked means the "
            "extra LC3-II under starvation is not being turned over, which points to impaired "
            "degradation. Option A rests on a single steady-state level, which the narration at "
            "00:00–00:06 warns cannot separate the two explanations."
        ),
    },
    {
        "video_id": "demo-2",
        "question_id": "3",
        "question": (
            "The transfer between 01:41 and 01:50 runs at 100 V for 60 minutes onto a 0.2 µm "
            "PVDF membrane. If the run had been extended to 150 minutes at the same voltage, "
            "how would the densitometry at 02:45 most likely be affected?"
        ),
        "options": {
            "A": "Both LC3 bands would be stronger, because a longer transfer moves more "
            "protein out of the gel",
            "B": "β-actin would be lost while LC3 stayed intact, inflating every normalized "
            "LC3-II ratio",
            "C": "LC3-I would be lost preferentially, because it lacks the lipid that anchors "
            "LC3-II to PVDF",
            "D": "There would be no effect, because a 0.2 µm membrane retains every protein "
            "whatever the time",
            "E": "The Ponceau stain would fail, because extended transfer removes the "
            "methanol from the membrane",
            "F": "The two LC3 bands would merge, because a long transfer lets them diffuse "
            "together on the membrane",
            "G": "Actin and LC3 would be weakened equally, so the normalized ratios would be "
            "unaffected",
            "H": "Only the high-molecular-weight marker bands would be lost, leaving LC3 and "
            "actin intact",
            "I": "The small LC3 bands could pass through the membrane, lowering LC3-II/actin "
            "unevenly across lanes",
            "J": "The buffer would cool, leaving transfer of the 42 kDa actin incomplete and "
            "the ratios higher",
        },
        "answer": "I",
        "question_type": _HYPOTHETICAL,
        "discipline": "Biology",
        "subject": "Cell Biology",
        "timestamp_breakdown": [
            "01:15-01:23: LC3-II near 14 kDa, LC3-I near 16 kDa",
            "01:32-01:41: 0.2 µm PVDF activated in methanol for 30 s",
            "01:41-01:50: transfer at 100 V for 60 min with 20% methanol",
        ],
        "rationale": (
            "LC3 runs at only 14–16 kDa (01:15–01:23); even with the small-pore 0.2 µm PVDF "
            "chosen at 01:32–01:41, a much longer transfer can drive such small proteins "
            "through the membrane, while the 42 kDa actin control is retained. The numerator "
            "would fall while the denominator would not, distorting the ratios read at "
            "02:45–02:54. Option G fails because the loss depends on size, so normalizing to "
            "actin cannot cancel it."
        ),
    },
    {
        "video_id": "demo-2",
        "question_id": "4",
        "question": (
            "The anti-LC3B antibody is diluted 1:2000 at 02:07, and the blot is imaged below "
            "saturation at 02:26. If the exposure used for densitometry had saturated only the "
            "EBSS plus bafilomycin LC3-II band, how would the flux comparison at 02:54 change?"
        ),
        "options": {
            "A": "The EBSS flux would be overestimated, because saturated pixels are given "
            "the maximum value",
            "B": "All four ratios would rise by the same factor, leaving the flux comparison "
            "unchanged",
            "C": "The full-medium flux would be underestimated, because its bands share the "
            "same actin",
            "D": "The comparison would be unaffected, because actin normalization corrects "
            "for saturation",
            "E": "The EBSS flux would be underestimated, making starvation look weaker than it "
            "really is",
            "F": "The EBSS flux would appear negative, because a saturated band is read as "
            "background",
            "G": "Only the EBSS lane without bafilomycin would be affected, since it shares "
            "the same exposure",
            "H": "Saturation would raise the actin signal in that lane, making its LC3-II "
            "ratio higher",
            "I": "The flux ratio would be unchanged, because saturation affects numerator and "
            "denominator alike",
            "J": "The primary antibody would need to be used tenfold more concentrated to "
            "recover the true value",
        },
        "answer": "E",
        "question_type": _HYPOTHETICAL,
        "discipline": "Biology",
        "subject": "Cell Biology",
        "timestamp_breakdown": [
            "02:07-02:17: anti-LC3B diluted 1:2000, overnight at 4 °C",
            "02:26-02:35: exposures kept below saturation",
            "02:54-03:08: flux is the bafilomycin-induced rise within each condition",
        ],
        "rationale": (
            "A saturated band under-reports its intensity, because signal above the detector's "
            "ceiling is clipped. The strongest band, EBSS plus bafilomycin, would read too low, "
            "shrinking the EBSS difference used as flux at 02:54–03:08 and making starvation "
            "look less potent. Option A reverses the effect: clipping caps the value and cannot "
            "inflate it, which is why the exposures at 02:26–02:35 are kept below saturation."
        ),
    },
    {
        "video_id": "demo-2",
        "question_id": "5",
        "question": (
            "Between 00:12 and 00:38, bafilomycin A1 is added to half of the wells of each "
            "condition at the moment the medium is changed. Why does the design require paired "
            "wells with and without the inhibitor?"
        ),
        "options": {
            "A": "Bafilomycin itself induces autophagy, so its wells are a positive control "
            "for LC3 lipidation",
            "B": "LC3-II is both made and degraded; blocking degradation shows how much is "
            "delivered in the window",
            "C": "Bafilomycin blocks the lipidation of LC3-I, so the paired wells measure "
            "total LC3 expression",
            "D": "Paired wells control for cell loss, since treated cells detach during the "
            "2-hour incubation",
            "E": "Bafilomycin stabilizes actin, which lets the paired wells validate the "
            "loading control",
            "F": "The inhibitor blocks EBSS uptake, so the paired wells separate nutrient "
            "effects from osmotic ones",
            "G": "Paired wells double the number of lanes so that statistics can be run on a "
            "single blot",
            "H": "Raising lysosomal pH activates LC3 synthesis, doubling the signal available "
            "for detection",
            "I": "Paired wells allow LC3-II to be normalized to LC3-I rather than to the actin "
            "control",
            "J": "The inhibitor blocks autophagosome formation, so its wells give a background "
            "to subtract",
        },
        "answer": "B",
        "question_type": _CONCEPTUAL,
        "discipline": "Biology",
        "subject": "Cell Biology",
        "timestamp_breakdown": [
            "00:00-00:06: LC3-II alone cannot separate induction from blocked degradation",
            "00:20-00:29: 100 nM bafilomycin A1 added with the medium change",
            "00:29-00:38: V-ATPase inhibition stops lysosomal degradation of LC3-II",
        ],
        "rationale": (
            "LC3-II is a steady-state quantity that rises either when more is made or when less "
            "is degraded (00:00–00:06). Bafilomycin blocks lysosomal acidification "
            "(00:29–00:38), so the extra LC3-II that accumulates in its presence measures "
            "delivery to lysosomes over the 2-hour window, which is the flux. Option J "
            "misplaces the drug's action: it works on lysosomes downstream, not on "
            "autophagosome formation."
        ),
    },
    {
        "video_id": "demo-2",
        "question_id": "6",
        "question": (
            "Using the actin-normalized LC3-II values read out between 02:45 and 02:54 and the "
            "definition of flux given right after, by what factor does starvation in EBSS "
            "change autophagic flux relative to full medium?"
        ),
        "options": {
            "A": "1.5-fold",
            "B": "1.6-fold",
            "C": "2.1-fold",
            "D": "2.3-fold",
            "E": "2.5-fold",
            "F": "2.7-fold",
            "G": "2.9-fold",
            "H": "3.2-fold",
            "I": "3.5-fold",
            "J": "4.8-fold",
        },
        "answer": "G",
        "question_type": _QUANTITATIVE,
        "discipline": "Biology",
        "subject": "Cell Biology",
        "timestamp_breakdown": [
            "02:45-02:54: LC3-II/actin reads 1.0, 2.1, 1.6 and 4.8",
            "02:54-03:08: flux is the bafilomycin-induced rise within each condition",
        ],
        "rationale": (
            "Flux in full medium is 2.1 − 1.0 = 1.1 and in EBSS 4.8 − 1.6 = 3.2 (02:45–02:54), "
            "so starvation raises it 3.2 / 1.1 ≈ 2.9-fold. Option H (3.2) is the EBSS "
            "difference itself rather than a ratio, and option D (2.3) compares only the two "
            "bafilomycin lanes, ignoring their different baselines."
        ),
    },
    {
        "video_id": "demo-2",
        "question_id": "7",
        "question": (
            "The EBSS plus bafilomycin lysate reads 2.5 µg/µL at 00:47–00:56, and each lane at "
            "00:56–01:06 receives 20 µg of protein in a final 25 µL of 1× Laemmli buffer "
            "prepared from a 4× stock. How much water must be added to that sample?"
        ),
        "options": {
            "A": "4.75 µL",
            "B": "6.75 µL",
            "C": "8.75 µL",
            "D": "10.75 µL",
            "E": "11.0 µL",
            "F": "12.5 µL",
            "G": "13.0 µL",
            "H": "14.25 µL",
            "I": "16.75 µL",
            "J": "17.0 µL",
        },
        "answer": "D",
        "question_type": _QUANTITATIVE,
        "discipline": "Biology",
        "subject": "Cell Biology",
        "timestamp_breakdown": [
            "00:47-00:56: EBSS plus bafilomycin lysate reads 2.5 µg/µL by BCA",
            "00:56-01:06: 20 µg per lane in 25 µL of 1× Laemmli made from a 4× stock",
        ],
        "rationale": (
            "20 µg at 2.5 µg/µL needs 8.0 µL of lysate, and 1× buffer in 25 µL needs "
            "25 / 4 = 6.25 µL of the 4× stock, leaving 25 − 8.0 − 6.25 = 10.75 µL of water. "
            "Option E (11.0 µL) rounds the buffer down to 6 µL, and option J (17.0 µL) leaves "
            "out the buffer altogether."
        ),
    },
)

_DEMO_3_QUESTIONS: tuple[dict[str, object], ...] = (
    {
        "video_id": "demo-3",
        "question_id": "1",
        "question": (
            "Between 01:44 and 02:12, the suture is tied around both the aorta and a blunted "
            "27-gauge needle, which is then withdrawn. What is the purpose of tying against the "
            "needle rather than tightening the suture directly on the vessel?"
        ),
        "options": {
            "A": "The needle shields the aortic wall from the knot, which would otherwise cut "
            "through the silk",
            "B": "The needle marks the ligation site so that it can be found again by Doppler "
            "at day 7",
            "C": "The needle keeps blood flowing during ligation, which prevents a thrombus "
            "forming at the knot",
            "D": "The needle stiffens the arch so that the knot cannot slip toward the "
            "brachiocephalic trunk",
            "E": "The needle delivers a local anesthetic to the adventitia while the knot is "
            "tightened",
            "F": "The needle holds the left carotid open so that it is not narrowed together "
            "with the arch",
            "G": "The needle briefly occludes the aorta completely, preconditioning the "
            "myocardium to ischemia",
            "H": "The needle spaces the two knots apart so that the band can be loosened "
            "later for debanding",
            "I": "The needle is a temporary splint that keeps the arch straight until the "
            "thymus is replaced",
            "J": "The needle fixes the residual lumen at its own diameter, so every stenosis is "
            "alike",
        },
        "answer": "J",
        "question_type": _CONCEPTUAL,
        "discipline": "Medicine",
        "subject": "Cardiology",
        "timestamp_breakdown": [
            "01:44-01:54: blunted 27-gauge needle, 0.41 mm outer diameter, laid along the arch",
            "01:54-02:03: suture tied around aorta and needle; needle withdrawn at once",
            "02:03-02:12: residual lumen near the needle diameter versus about 1.2 mm arch",
        ],
        "rationale": (
            "Tying around a spacer of known outer diameter (0.41 mm, 01:44–01:54) and then "
            "withdrawing it (01:54–02:03) leaves a lumen defined by the needle rather than by "
            "how hard the surgeon pulls, so the constriction is reproducible between animals "
            "(02:03–02:12). Option H is the nearest distractor but describes a debanding "
            "technique that is not part of this protocol; the needle is removed at once and "
            "the knots stay in place."
        ),
    },
    {
        "video_id": "demo-3",
        "question_id": "2",
        "question": (
            "At day 7, the Doppler readings between 03:10 and 03:19 give the peak jet velocity "
            "distal to the band and the velocity just proximal to it. If the expanded Bernoulli "
            "form ΔP = 4(v2² − v1²) were used instead of the simplified form narrated at 03:19, "
            "what would the estimated gradient be?"
        ),
        "options": {
            "A": "11.6 mmHg",
            "B": "13.6 mmHg",
            "C": "15.2 mmHg",
            "D": "33.6 mmHg",
            "E": "50.4 mmHg",
            "F": "54.5 mmHg",
            "G": "57.8 mmHg",
            "H": "61.0 mmHg",
            "I": "65.3 mmHg",
            "J": "72.2 mmHg",
        },
        "answer": "F",
        "question_type": _QUANTITATIVE,
        "discipline": "Medicine",
        "subject": "Cardiology",
        "timestamp_breakdown": [
            "03:10-03:19: peak velocity 3.8 m/s distal and 0.9 m/s proximal to the band",
            "03:19-03:28: simplified Bernoulli, four times the peak velocity squared",
        ],
        "rationale": (
            "The expanded form gives 4 × (3.8² − 0.9²) = 4 × (14.44 − 0.81) ≈ 54.5 mmHg from "
            "the velocities read at 03:10–03:19. The simplified form narrated at 03:19–03:28 "
            "ignores the proximal velocity and gives 4 × 3.8² ≈ 57.8 mmHg (option G), slightly "
            "overestimating the gradient; option D squares the velocity difference, which the "
            "Bernoulli relation does not do."
        ),
    },
    {
        "video_id": "demo-3",
        "question_id": "3",
        "question": (
            "If a blunted 25-gauge needle (0.51 mm outer diameter) had been used as the spacer "
            "at 01:44 instead of the 27-gauge needle, with every other step unchanged, what "
            "would most likely be seen at day 7 between 03:10 and 03:37?"
        ),
        "options": {
            "A": "A lower peak jet velocity and gradient, and a right-to-left carotid ratio "
            "closer to 1",
            "B": "A higher peak jet velocity and gradient, and a larger right-to-left carotid "
            "velocity ratio",
            "C": "A lower jet velocity but a larger right-to-left ratio, as more flow enters "
            "the right carotid",
            "D": "An unchanged gradient, because the knot tension and not the spacer size sets "
            "the stenosis",
            "E": "A higher proximal velocity only, because a wider band sends flow back into "
            "the ascending aorta",
            "F": "A lower gradient but unchanged carotid velocities, since both carotids arise "
            "before the band",
            "G": "A higher gradient, because a wider spacer stretches the aortic wall and "
            "thickens it on healing",
            "H": "No Doppler jet at all, because a 0.51 mm lumen equals the diameter of the "
            "unbanded arch",
            "I": "A higher left than right carotid velocity, reversing the ratio, because the "
            "band is looser",
            "J": "An unchanged carotid ratio but a higher gradient, because the wider lumen "
            "speeds up the jet",
        },
        "answer": "A",
        "question_type": _HYPOTHETICAL,
        "discipline": "Medicine",
        "subject": "Cardiology",
        "timestamp_breakdown": [
            "01:44-01:54: 27-gauge needle, 0.41 mm outer diameter, used as the spacer",
            "03:10-03:19: peak jet velocity 3.8 m/s distal to the band",
            "03:28-03:37: carotid velocities 96 cm/s right and 16 cm/s left",
        ],
        "rationale": (
            "A 0.51 mm spacer leaves a wider residual lumen than the 0.41 mm needle used at "
            "01:44–01:54, so the stenosis is milder: the jet is slower than 3.8 m/s "
            "(03:10–03:19) and the gradient falls. Less obstruction also diverts less flow into "
            "the right carotid, so the 96 versus 16 cm/s contrast at 03:28–03:37 narrows. "
            "Option D contradicts the reason for using a spacer, which is that its diameter, not "
            "knot tension, sets the lumen."
        ),
    },
    {
        "video_id": "demo-3",
        "question_id": "4",
        "question": (
            "Between 03:28 and 03:46, flow velocities in the two common carotid arteries are "
            "compared, and a right-to-left ratio above 5 is taken to confirm an effective band. "
            "Why does this ratio report on the constriction?"
        ),
        "options": {
            "A": "The band compresses the right carotid directly, so its velocity rises with "
            "the knot's tightness",
            "B": "The left carotid arises from the brachiocephalic trunk and so shares the "
            "upstream pressure",
            "C": "The right carotid arises upstream of the band and the left downstream, so flow "
            "splits unequally",
            "D": "Both carotids arise downstream of the band, so their ratio cancels the "
            "effect of heart rate",
            "E": "Left carotid flow rises after banding because the left ventricle "
            "hypertrophies toward that side",
            "F": "The right carotid has a narrower lumen, so any rise in cardiac output shows "
            "there first",
            "G": "The ratio measures aortic valve function, which becomes regurgitant after "
            "banding",
            "H": "The left carotid is tied off together with the arch, so any flow still in it "
            "means the band is loose",
            "I": "Isoflurane dilates the left carotid more than the right, and the ratio "
            "corrects for this",
            "J": "The ratio reflects blood viscosity, which rises after surgery and slows flow "
            "on the left side",
        },
        "answer": "C",
        "question_type": _CONCEPTUAL,
        "discipline": "Medicine",
        "subject": "Cardiology",
        "timestamp_breakdown": [
            "01:16-01:25: band placed between the brachiocephalic trunk and left carotid",
            "03:28-03:37: carotid velocities 96 cm/s right and 16 cm/s left",
            "03:37-03:46: a right-to-left ratio above 5 confirms an effective constriction",
        ],
        "rationale": (
            "The band sits between the brachiocephalic trunk, which gives rise to the right "
            "carotid, and the left common carotid (01:16–01:25). The right carotid therefore "
            "receives flow at the raised pressure upstream of the stenosis, while the left "
            "carotid lies downstream of it, giving 96 versus 16 cm/s, a ratio of 6, at "
            "03:28–03:37. Option H is wrong because only the aorta is tied; the left carotid "
            "still carries reduced flow."
        ),
    },
    {
        "video_id": "demo-3",
        "question_id": "5",
        "question": (
            "The mouse is intubated and ventilated from 00:23 to 00:32, before the sternum is "
            "divided at 00:56. If the same partial sternotomy were performed on a spontaneously "
            "breathing, non-intubated mouse, what would be the main risk?"
        ),
        "options": {
            "A": "The isoflurane dose would be too low, because inhaled anesthetic requires an "
            "endotracheal tube",
            "B": "Body temperature would rise above 37 °C, because the heating pad is regulated "
            "via the ventilator",
            "C": "The thymus would enlarge and hide the arch, because spontaneous breathing "
            "raises chest pressure",
            "D": "The aortic arch would collapse, because negative intrathoracic pressure "
            "lowers aortic pressure",
            "E": "The suture would not hold, because breathing movements loosen knots placed "
            "on the arch",
            "F": "The Doppler gradient at day 7 would read falsely high, because intubation "
            "lowers blood pressure",
            "G": "Spontaneous breathing would raise the heart rate enough to prevent "
            "identification of the arch",
            "H": "A breach of the pleura would collapse the lungs, with no positive pressure to "
            "reinflate them",
            "I": "The internal thoracic arteries would constrict, so the midline incision "
            "would no longer be safe",
            "J": "There would be no added risk, because an upper sternotomy always stays "
            "outside the pleura",
        },
        "answer": "H",
        "question_type": _HYPOTHETICAL,
        "discipline": "Medicine",
        "subject": "Cardiology",
        "timestamp_breakdown": [
            "00:23-00:32: intubated with a 20-gauge catheter; 120 breaths/min at 200 µL",
            "00:56-01:06: sternum divided to the second intercostal space",
            "01:06-01:16: retractor spreads the sternal edges",
        ],
        "rationale": (
            "Once the sternum is divided and spread (00:56–01:16), any breach of the pleura "
            "lets air into the chest, and a spontaneously breathing mouse can no longer "
            "generate the negative pressure that keeps its lungs inflated. Positive-pressure "
            "ventilation through the tube placed at 00:23–00:32 keeps them expanded regardless. "
            "Option J overstates the case: a partial sternotomy may stay extrapleural, but that "
            "cannot be relied on, which is why the mouse is ventilated."
        ),
    },
    {
        "video_id": "demo-3",
        "question_id": "6",
        "question": (
            "At 03:46, mice with a Doppler gradient below 40 mmHg are excluded before "
            "follow-up. What is the scientific rationale for this exclusion?"
        ),
        "options": {
            "A": "Below 40 mmHg the Bernoulli equation no longer applies, so no gradient can "
            "be calculated",
            "B": "Low gradients identify mice with an unusually wide aortic arch, a genetic "
            "exclusion criterion",
            "C": "A low gradient shows that a sham suture was tied by mistake, so the mouse "
            "joins the sham group",
            "D": "Low gradients show that isoflurane was too deep during imaging, which "
            "invalidates the reading",
            "E": "Below 40 mmHg the carotid ratio cannot exceed 5, so the second criterion "
            "could not be applied",
            "F": "Mice with low gradients have higher heart rates, which shortens the Doppler "
            "acquisition window",
            "G": "Exclusion reduces the number of animals needed, since low-gradient mice must "
            "be imaged twice",
            "H": "A low gradient shows that the needle was not withdrawn, leaving the arch "
            "fully occluded",
            "I": "Hypertrophy scales with load, so loose bands would add a mild and variable "
            "response",
            "J": "Gradients below 40 mmHg signal aortic rupture, so these mice would not "
            "survive to follow-up",
        },
        "answer": "I",
        "question_type": _CONCEPTUAL,
        "discipline": "Medicine",
        "subject": "Cardiology",
        "timestamp_breakdown": [
            "03:19-03:28: gradient estimated with the simplified Bernoulli equation",
            "03:46-03:56: mice below 40 mmHg excluded so groups start from a comparable load",
        ],
        "rationale": (
            "The narration at 03:46–03:56 gives the reason directly: every banded group must "
            "start from a comparable load. The hypertrophic response depends on the afterload "
            "imposed, so a gradient below 40 mmHg signals a loose or misplaced band that would "
            "add animals with a weak, variable stimulus. Option A is wrong because the "
            "simplified Bernoulli relation used at 03:19–03:28 holds at low gradients too; the "
            "cut-off is biological, not mathematical."
        ),
    },
)

_DEMO_4_QUESTIONS: tuple[dict[str, object], ...] = (
    {
        "video_id": "demo-4",
        "question_id": "1",
        "question": (
            "Between 01:30 and 01:40, the 10-second record is cut into 100 segments of 0.1 s "
            "and their power spectra are averaged before the fit. Why is this averaging needed?"
        ),
        "options": {
            "A": "Averaging removes the thermal motion itself, leaving only the trap's "
            "deterministic response",
            "B": "A raw spectral point scatters by as much as its mean; averaging tames this so "
            "the fit is valid",
            "C": "Averaging refines the frequency resolution from 10 Hz to 0.1 Hz, resolving "
            "the corner sharply",
            "D": "Averaging undoes the anti-aliasing filter, restoring the part of the spectrum "
            "above 20 kHz",
            "E": "The segments correct for laser drift, because each one is re-zeroed to no "
            "displacement",
            "F": "Averaging turns the Lorentzian into a Gaussian, which can be fitted with "
            "fewer parameters",
            "G": "Averaging raises the corner frequency so that it lies well above the 1/f "
            "noise of the laser",
            "H": "The 0.1 s segments match the bead's relaxation time, so each holds one full "
            "oscillation",
            "I": "Averaging is needed only to reduce file size, since 50 kHz records are too "
            "large to fit",
            "J": "Averaging removes the drag coefficient from the fit, so the stiffness can be "
            "read off the plateau",
        },
        "answer": "B",
        "question_type": _CONCEPTUAL,
        "discipline": "Physics",
        "subject": "Optics",
        "timestamp_breakdown": [
            "01:20-01:30: x signal sampled at 50 kHz for 10 s",
            "01:30-01:40: record cut into 100 segments of 0.1 s; spectra averaged",
            "01:48-01:57: Lorentzian fit gives a 600 Hz corner frequency",
        ],
        "rationale": (
            "For thermal noise, each point of a single periodogram is exponentially "
            "distributed, with a standard deviation equal to its mean, so a fit to a raw "
            "spectrum is badly weighted. Averaging the 100 segments cut at 01:30–01:40 reduces "
            "the scatter about tenfold and makes the points nearly Gaussian, so the Lorentzian "
            "fit at 01:48–01:57 is reliable. Option C has it backwards: 0.1 s segments give "
            "10 Hz resolution, coarser than the 0.1 Hz of the full record."
        ),
    },
    {
        "video_id": "demo-4",
        "question_id": "2",
        "question": (
            "Using the drag coefficient and the corner frequency measured at 150 mW, both "
            "narrated between 01:57 and 02:24, what restoring force acts on a bead displaced "
            "40 nm from the trap center at that power?"
        ),
        "options": {
            "A": "0.30 pN",
            "B": "0.63 pN",
            "C": "1.27 pN",
            "D": "1.59 pN",
            "E": "1.91 pN",
            "F": "2.23 pN",
            "G": "2.51 pN",
            "H": "3.82 pN",
            "I": "12.0 pN",
            "J": "19.1 pN",
        },
        "answer": "E",
        "question_type": _QUANTITATIVE,
        "discipline": "Physics",
        "subject": "Optics",
        "timestamp_breakdown": [
            "01:57-02:06: drag 8.4 × 10^-9 N·s/m; stiffness = 2π × drag × corner frequency",
            "02:15-02:24: corner frequencies 300, 905 and 1,190 Hz at 50, 150 and 200 mW",
        ],
        "rationale": (
            "At 150 mW the corner frequency is 905 Hz (02:15–02:24), so κ = 2π × 8.4 × 10^-9 "
            "N·s/m × 905 Hz ≈ 4.8 × 10^-5 N/m, or 47.8 pN/µm, using the relation given at "
            "01:57–02:06. A 40 nm displacement then gives F = κx ≈ 1.91 pN. Option C (1.27 pN) "
            "uses the 32 pN/µm stiffness at 100 mW, and option A leaves out the factor of 2π."
        ),
    },
    {
        "video_id": "demo-4",
        "question_id": "3",
        "question": (
            "At 00:44–00:51 the bead is raised to 5 µm above the coverslip. If it had instead "
            "been held 1 µm above the surface, while the bulk drag coefficient quoted at 01:57 "
            "was still used in the calculation, how would the results change?"
        ),
        "options": {
            "A": "The corner frequency would rise, and the computed stiffness would be "
            "overestimated",
            "B": "The corner frequency would not change, because drag does not enter the power "
            "spectrum",
            "C": "The plateau would fall and the corner frequency rise, leaving the computed "
            "stiffness exact",
            "D": "The corner frequency would fall, but the computed stiffness would still be "
            "correct",
            "E": "The trap would become stiffer near the surface, raising both the corner and "
            "the stiffness",
            "F": "The spectrum would lose its plateau, because the wall removes all "
            "low-frequency motion",
            "G": "The corner frequency would fall, and the computed stiffness would be "
            "underestimated",
            "H": "The corner frequency would fall, and the computed stiffness would be "
            "overestimated",
            "I": "Nothing would change, since Faxén corrections only matter for beads below 100 nm",
            "J": "The corner frequency would rise, because the wall reflects laser light back "
            "into the trap",
        },
        "answer": "G",
        "question_type": _HYPOTHETICAL,
        "discipline": "Physics",
        "subject": "Optics",
        "timestamp_breakdown": [
            "00:44-00:51: bead raised to 5 µm above the coverslip",
            "00:51-00:58: at this height the wall raises drag by less than 10%",
            "01:57-02:06: stiffness = 2π × drag × corner frequency",
        ],
        "rationale": (
            "Near a wall, hydrodynamic coupling raises the true drag on the bead; at 1 µm for "
            "a 0.5 µm radius it rises by roughly 40 percent, far above the less than 10 percent "
            "noted for 5 µm at 00:51–00:58. Because the corner frequency equals κ/(2πγ), the "
            "fitted corner falls, and multiplying it by the unchanged bulk drag at 01:57–02:06 "
            "underestimates κ. Option D would hold only if the drag had been corrected for the "
            "wall."
        ),
    },
    {
        "video_id": "demo-4",
        "question_id": "4",
        "question": (
            "Between 00:58 and 01:13, the forward-scattered light is imaged onto a quadrant "
            "photodiode placed in the back focal plane of the condenser. What is the main "
            "advantage of this arrangement over imaging the bead with a camera?"
        ),
        "options": {
            "A": "It reports displacement from the trap focus at high bandwidth, via the "
            "interference signal",
            "B": "It removes the need for the anti-aliasing filter, since the photodiode "
            "integrates the signal",
            "C": "It lets the stiffness be read directly from the photodiode voltage without "
            "any fitting",
            "D": "It measures the bead's absolute position in the sample, regardless of where "
            "the laser points",
            "E": "It images the bead at higher magnification, so 1 µm beads can be resolved "
            "individually",
            "F": "It blocks the unscattered laser light, so only bead fluorescence reaches the "
            "detector",
            "G": "It measures the axial position only, which is the direction where the trap "
            "is weakest",
            "H": "It averages the signal over the whole field of view, which cancels drift of "
            "the stage",
            "I": "It reduces the laser power reaching the sample, which avoids heating the "
            "trapped bead",
            "J": "It merges the x and y motions optically, so that a single channel captures "
            "both of them",
        },
        "answer": "A",
        "question_type": _CONCEPTUAL,
        "discipline": "Physics",
        "subject": "Optics",
        "timestamp_breakdown": [
            "00:58-01:06: forward-scattered light imaged onto a quadrant photodiode",
            "01:06-01:13: interference makes the signal proportional to displacement from "
            "the trap center",
            "01:20-01:30: signal sampled at 50 kHz",
        ],
        "rationale": (
            "In the back focal plane the photodiode sees the interference of light scattered "
            "by the bead with the unscattered beam (01:06–01:13), so its difference signal "
            "tracks the bead relative to the laser focus and can be sampled at 50 kHz "
            "(01:20–01:30), far faster than camera frame rates. Option D is the inverse: the "
            "signal is relative to the trap, not an absolute position in the sample."
        ),
    },
    {
        "video_id": "demo-4",
        "question_id": "5",
        "question": (
            "The signal is sampled at 50 kHz through a 20 kHz anti-aliasing filter at "
            "01:20–01:30. If it had instead been sampled at 2 kHz with no anti-aliasing filter, "
            "what would happen to the 100 mW calibration at 01:48?"
        ),
        "options": {
            "A": "Nothing, because a 2 kHz sampling rate is still more than three times the 600 Hz "
            "corner frequency",
            "B": "The plateau would rise tenfold while the corner frequency stayed at 600 Hz",
            "C": "The spectrum would gain a second knee at 1 kHz that could be mistaken for the "
            "corner",
            "D": "The corner frequency would fall, because slow sampling filters out the "
            "fastest motions",
            "E": "The fit would improve, because fewer points per segment reduce the scatter "
            "of the spectrum",
            "F": "The stiffness would be unaffected, because it depends only on the height of "
            "the plateau",
            "G": "The drag coefficient would need recalculating, because it depends on the "
            "sampling rate",
            "H": "The spectrum would turn flat, because 2 kHz lies below the bead's thermal "
            "relaxation rate",
            "I": "The corner frequency would double, because the Nyquist limit folds it onto "
            "1,200 Hz",
            "J": "The spectrum would end at 1 kHz, and aliased power would flatten its tail "
            "and bias the fitted corner",
        },
        "answer": "J",
        "question_type": _HYPOTHETICAL,
        "discipline": "Physics",
        "subject": "Optics",
        "timestamp_breakdown": [
            "01:20-01:30: sampled at 50 kHz with a 20 kHz anti-aliasing filter",
            "01:40-01:48: spectrum falls as one over frequency squared above the knee",
            "01:48-01:57: corner frequency 600 Hz at 100 mW",
        ],
        "rationale": (
            "At 2 kHz the Nyquist frequency is 1 kHz, so the spectrum would stop just above the "
            "600 Hz corner found at 01:48–01:57, leaving little of the roll-off described at "
            "01:40–01:48 to constrain the fit. Without a filter, motion above 1 kHz folds back "
            "into the measured band, raising the tail and biasing the fitted corner. Option A "
            "overlooks that the relevant limit is half the sampling rate, not the rate itself."
        ),
    },
    {
        "video_id": "demo-4",
        "question_id": "6",
        "question": (
            "Taking the thermal energy kBT as 4.1 × 10^-21 J at 25 °C and the stiffness "
            "narrated at 02:06 for 100 mW, what is the root-mean-square displacement of the "
            "trapped bead along x?"
        ),
        "options": {
            "A": "4.0 nm",
            "B": "5.7 nm",
            "C": "8.0 nm",
            "D": "11.3 nm",
            "E": "16.0 nm",
            "F": "22.6 nm",
            "G": "32.0 nm",
            "H": "45.3 nm",
            "I": "64.0 nm",
            "J": "128 nm",
        },
        "answer": "D",
        "question_type": _QUANTITATIVE,
        "discipline": "Physics",
        "subject": "Optics",
        "timestamp_breakdown": [
            "00:29-00:36: chamber held at 25 °C",
            "02:06-02:15: stiffness about 32 pN/µm at 100 mW",
        ],
        "rationale": (
            "Equipartition gives ⟨x²⟩ = kBT/κ = 4.1 × 10^-21 J / 3.2 × 10^-5 N/m ≈ "
            "1.3 × 10^-16 m², so the RMS displacement is about 11.3 nm using the stiffness at "
            "02:06–02:15. Option E (16.0 nm) follows from using 2kBT, and option C (8.0 nm) "
            "from a stiffness twice as large; each is a factor of √2 away from the key."
        ),
    },
)

_DEMO_5_QUESTIONS: tuple[dict[str, object], ...] = (
    {
        "video_id": "demo-5",
        "question_id": "1",
        "question": (
            "Between 01:44 and 02:01, gelation is triggered by acetic acid diffusing from the "
            "oil into droplets that already contain a calcium-EDTA complex. Why is this "
            "internal route used instead of collecting the droplets into a calcium chloride "
            "bath?"
        ),
        "options": {
            "A": "Calcium is evenly spread but held by EDTA, so gelling waits for pinch-off and is "
            "uniform",
            "B": "EDTA crosslinks alginate directly once protonated, so no calcium is needed "
            "inside the droplet",
            "C": "Acetic acid raises the pH inside the droplet, which alginate needs in order "
            "to bind calcium",
            "D": "Calcium chloride would dissolve in the fluorinated oil and gel the alginate "
            "before the junction",
            "E": "The acid digests proteins on the cell surface, which lets the alginate bind "
            "the cells tightly",
            "F": "Internal gelation forms a dense shell first, which keeps cells away from the "
            "droplet surface",
            "G": "EDTA protects the cells from calcium, which is toxic at any concentration "
            "used for gelation",
            "H": "The acid shrinks the droplets as it diffuses in, so the gels end up smaller "
            "than the droplets",
            "I": "An external bath would gel droplets too slowly, so they would coalesce "
            "before crosslinking",
            "J": "Calcium-EDTA lowers the viscosity of alginate, which is needed only to pass "
            "the 40 µm junction",
        },
        "answer": "A",
        "question_type": _CONCEPTUAL,
        "discipline": "Bioengineering",
        "subject": "Biomaterials",
        "timestamp_breakdown": [
            "00:40-00:49: alginate phase holds 50 mM calcium-EDTA at pH 7.2",
            "01:44-01:53: acetic acid diffuses from the oil into each droplet",
            "01:53-02:01: freed calcium crosslinks the alginate evenly, not only at the surface",
        ],
        "rationale": (
            "Calcium is loaded into the alginate phase at 00:40–00:49 but held by EDTA at "
            "neutral pH, so nothing gels in the junction. Only after droplets form does acid "
            "from the oil (01:44–01:53) release the calcium everywhere at once, giving the "
            "even crosslinking described at 01:53–02:01. Option F describes what an external "
            "calcium bath does, forming a surface shell first, which is the opposite of this "
            "route."
        ),
    },
    {
        "video_id": "demo-5",
        "question_id": "2",
        "question": (
            "The cell suspension narrated between 00:49 and 00:58 enters a 1:1 co-flow with the "
            "alginate stream at 01:05–01:12, and the droplets measure 40 µm in diameter at "
            "01:30–01:37. What is the expected mean number of cells per droplet?"
        ),
        "options": {
            "A": "0.021",
            "B": "0.042",
            "C": "0.067",
            "D": "0.084",
            "E": "0.10",
            "F": "0.13",
            "G": "0.15",
            "H": "0.17",
            "I": "0.34",
            "J": "1.34",
        },
        "answer": "H",
        "question_type": _QUANTITATIVE,
        "discipline": "Bioengineering",
        "subject": "Biomaterials",
        "timestamp_breakdown": [
            "00:49-00:58: cells suspended at 1.0 × 10^7 per mL",
            "01:05-01:12: cell and alginate streams meet in a 1:1 co-flow",
            "01:30-01:37: droplets measure 40 µm in diameter",
        ],
        "rationale": (
            "Equal flows halve the cell density to 5.0 × 10^6 per mL, and a 40 µm droplet holds "
            "π/6 × (40 µm)³ ≈ 33.5 pL, so λ = 5.0 × 10^6 × 3.35 × 10^-8 ≈ 0.17 cells per "
            "droplet. This agrees with the 85 percent empty gels reported at 02:50–03:00, since "
            "e^-0.17 ≈ 0.85. Option I (0.34) ignores the dilution by the co-flowing alginate "
            "stream, and option J uses 40 µm as the radius."
        ),
    },
    {
        "video_id": "demo-5",
        "question_id": "3",
        "question": (
            "At 00:49–00:58 the cells are suspended in medium containing 16% OptiPrep. If the "
            "OptiPrep had been left out, how would the occupancy measured at 02:50 most likely "
            "differ over the 20-minute collection?"
        ),
        "options": {
            "A": "Occupancy would rise, because denser cells would be pushed to the droplet "
            "center more often",
            "B": "Occupancy would not change, because the co-flow remixes the cells just "
            "before the junction",
            "C": "Cells would settle in the syringe and tubing, so fewer would arrive and "
            "occupancy would drift down",
            "D": "Cells would float to the top of the syringe and arrive in bursts, raising "
            "only the share of doublets",
            "E": "Cells would swell osmotically without OptiPrep, and the larger cells would "
            "block the junction",
            "F": "Occupancy would rise, because cells would no longer be repelled by the "
            "fluorinated oil phase",
            "G": "Occupancy would not change, but viability would fall because OptiPrep "
            "nourishes the cells",
            "H": "Droplets would grow larger, because the lighter aqueous phase breaks up "
            "later at the junction",
            "I": "Gelation would fail, because OptiPrep carries the calcium needed to "
            "crosslink the alginate",
            "J": "Occupancy would follow Poisson statistics more closely, because cells would "
            "stop aggregating",
        },
        "answer": "C",
        "question_type": _HYPOTHETICAL,
        "discipline": "Bioengineering",
        "subject": "Biomaterials",
        "timestamp_breakdown": [
            "00:49-00:58: cells at 1.0 × 10^7 per mL in medium with 16% OptiPrep",
            "02:01-02:10: emulsion collected for 20 minutes",
            "02:50-03:00: 85% empty, 14% one cell, about 1% two or more",
        ],
        "rationale": (
            "OptiPrep is added at 00:49–00:58 to match the density of the medium to that of the "
            "cells. Without it, cells sink in the syringe and tubing during the 20-minute "
            "collection (02:01–02:10), so the delivered density falls over time and the "
            "occupancy at 02:50–03:00 ends up lower than the loaded density predicts. Option D "
            "has the direction wrong: cells are denser than medium and sink rather than float."
        ),
    },
    {
        "video_id": "demo-5",
        "question_id": "4",
        "question": (
            "At 01:12–01:21 the oil flows at 12 µL/min and each aqueous stream at 1.0 µL/min. "
            "If the oil flow were doubled to 24 µL/min with the aqueous flows unchanged, what "
            "would change?"
        ),
        "options": {
            "A": "Larger droplets at a lower rate, so more of them would hold two or more cells",
            "B": "Smaller droplets at the same rate, since the rate is set by the aqueous flow "
            "alone",
            "C": "Unchanged droplets, because droplet size is fixed by the 40 µm width of the "
            "junction",
            "D": "Smaller droplets at a higher rate, with the same mean number of cells per "
            "droplet",
            "E": "Droplets would stop forming, because the oil would push the aqueous thread "
            "back upstream",
            "F": "Smaller droplets at a higher rate, each holding fewer cells, so more gels "
            "would be empty",
            "G": "Larger droplets at a higher rate, since more oil carries more surfactant to "
            "the interface",
            "H": "Smaller droplets at a higher rate, but gelation would fail because the acid "
            "is diluted",
            "I": "Unchanged droplet size but more satellite droplets, all of which would be empty",
            "J": "Smaller droplets at a lower rate, because stronger shear delays pinch-off at "
            "the junction",
        },
        "answer": "F",
        "question_type": _HYPOTHETICAL,
        "discipline": "Bioengineering",
        "subject": "Biomaterials",
        "timestamp_breakdown": [
            "01:12-01:21: each aqueous stream at 1.0 µL/min, oil at 12 µL/min",
            "01:30-01:37: droplets measure 40 µm in diameter",
            "01:37-01:44: about 1,000 droplets per second",
        ],
        "rationale": (
            "With the aqueous flow fixed at 2 µL/min in total, a stronger oil stream pinches the "
            "thread off sooner, so droplets shrink below the 40 µm seen at 01:30–01:37 and form "
            "faster than the 1,000 per second at 01:37–01:44. The cell density in the aqueous "
            "phase is unchanged, so a smaller volume holds fewer cells on average and more "
            "gels are empty. Option D neglects that mean occupancy scales with droplet volume."
        ),
    },
    {
        "video_id": "demo-5",
        "question_id": "5",
        "question": (
            "Between 00:30 and 00:40, the bonded channels are treated with a fluorosilane and "
            "baked. If this step had been skipped and the chip used shortly after plasma "
            "bonding, what would most likely happen at the junction at 01:21?"
        ),
        "options": {
            "A": "Droplets would form normally, because the fluorosurfactant in the oil coats "
            "the walls itself",
            "B": "Droplets would form but gel at once, because plasma-treated PDMS releases "
            "calcium ions",
            "C": "The oil would wet the walls more strongly, producing smaller and more "
            "uniform droplets",
            "D": "Acetic acid would adsorb to untreated PDMS, so gelation would be slower but "
            "still uniform",
            "E": "Cells would stick to the plasma-treated walls and be depleted from the "
            "aqueous stream only",
            "F": "The junction would swell with oil and narrow, giving smaller droplets at a "
            "higher rate",
            "G": "Droplet size would be unchanged, but the coefficient of variation would fall "
            "below 1 percent",
            "H": "The oil would dissolve the uncoated PDMS, releasing debris that clogs the "
            "40 µm junction",
            "I": "The aqueous phase would wet the hydrophilic walls, so droplets would not "
            "pinch off cleanly",
            "J": "Droplets would form, but would later fail to pass into the medium when the "
            "emulsion is broken",
        },
        "answer": "I",
        "question_type": _HYPOTHETICAL,
        "discipline": "Bioengineering",
        "subject": "Biomaterials",
        "timestamp_breakdown": [
            "00:21-00:30: slab bonded to glass after a 30-second oxygen plasma",
            "00:30-00:40: fluorosilane coating makes the walls hydrophobic and fluorophilic",
            "01:21-01:30: oil squeezes the aqueous thread; droplets pinch off regularly",
        ],
        "rationale": (
            "Oxygen plasma leaves PDMS hydrophilic for some time after bonding (00:21–00:30), "
            "and the fluorosilane step at 00:30–00:40 is what makes the walls prefer the "
            "fluorinated oil. Without it the aqueous phase wets the channel walls, so the "
            "regular pinch-off at 01:21–01:30 gives way to wall-wetting streams and irregular "
            "droplets. Option A overrates the surfactant, which stabilizes droplet interfaces "
            "but cannot reliably override hydrophilic walls."
        ),
    },
    {
        "video_id": "demo-5",
        "question_id": "6",
        "question": (
            "From 02:10 to 02:19, the oil is drawn off and a 1:4 (v/v) mixture of "
            "perfluorooctanol and HFE-7500 is added. What does the perfluorooctanol do?"
        ),
        "options": {
            "A": "It dissolves the alginate surface so that the gels swell into the medium and "
            "release cells",
            "B": "It neutralizes the acetic acid carried over from the oil, restoring pH before "
            "the washes",
            "C": "It extracts EDTA from the gels, which completes the crosslinking begun in "
            "the chip",
            "D": "It sterilizes the microgels, since perfluorinated alcohols kill bacteria "
            "picked up in tubing",
            "E": "It raises the density of the oil, so the gels float up and can be skimmed "
            "off the top",
            "F": "It stains the empty gels so that they can be excluded from the occupancy count",
            "G": "It displaces the surfactant from the interface, so droplets coalesce with the "
            "medium",
            "H": "It cools the emulsion by evaporation, which protects the cells during the "
            "200 × g washes",
            "I": "It carries the fluorosurfactant into the medium, where it serves as a "
            "nutrient for the cells",
            "J": "It lowers alginate viscosity so that the gels separate from one another "
            "during the washes",
        },
        "answer": "G",
        "question_type": _CONCEPTUAL,
        "discipline": "Bioengineering",
        "subject": "Biomaterials",
        "timestamp_breakdown": [
            "02:10-02:19: oil drawn off; a 1:4 (v/v) perfluorooctanol and HFE-7500 mixture added",
            "02:19-02:28: microgels move into the medium within a minute; washed at 200 × g",
        ],
        "rationale": (
            "Perfluorooctanol is a small fluorinated alcohol that competes the fluorosurfactant "
            "off the oil–water interface; once the droplets lose that stabilizing layer they "
            "coalesce with the medium above, and the gels move across within a minute "
            "(02:19–02:28). Option I is the nearest distractor, but the surfactant is displaced "
            "into the oil phase, which is then removed, and it has no nutritive role."
        ),
    },
)

QUESTIONS: tuple[dict[str, object], ...] = (
    _DEMO_1_QUESTIONS
    + _DEMO_2_QUESTIONS
    + _DEMO_3_QUESTIONS
    + _DEMO_4_QUESTIONS
    + _DEMO_5_QUESTIONS
)

# ---------------------------------------------------------------------------------------------
# Invariants
# ---------------------------------------------------------------------------------------------

_LETTERS = tuple("ABCDEFGHIJ")
_TYPES = frozenset({_CONCEPTUAL, _HYPOTHETICAL, _QUANTITATIVE})
_DISCIPLINES = frozenset(
    {"Engineering", "Biology", "Chemistry", "Medicine", "Bioengineering", "Biochemistry", "Physics"}
)
_FIELDS = frozenset(
    {
        "video_id",
        "question_id",
        "question",
        "options",
        "answer",
        "question_type",
        "discipline",
        "subject",
        "timestamp_breakdown",
        "rationale",
    }
)
_SECTIONS = ("## Abstract", "## Protocol", "## Representative Results", "## Discussion")
# A time as SciVideoBench writes it: two-digit minutes and seconds.
_TIME = re.compile(r"(?<![\d:.,])(\d{2}):(\d{2})(?![\d:])")
# Any number:number token; those that are not times must read as ratios.
_COLON_TOKEN = re.compile(r"(?<![\d:.,])\d+:\d+(?![\d:])")
_RATIO_LEAD = re.compile(r"(?:diluted|\ba|\ban|ratio of)\s+$", re.IGNORECASE)
_RANGES = (
    re.compile(r"between (\d{2}):(\d{2}) and (\d{2}):(\d{2})"),
    re.compile(r"from (\d{2}):(\d{2}) to (\d{2}):(\d{2})"),
    re.compile(r"(\d{2}):(\d{2})–(\d{2}):(\d{2})"),
)
_BREAKDOWN = re.compile(r"^(\d{2}):(\d{2})(?:-(\d{2}):(\d{2}))?: \S")
_LEADING_TIME = re.compile(r"^\d{2}:\d{2}(?:-\d{2}:\d{2})?: ")


def _seconds(minutes: str, seconds: str) -> int:
    return int(minutes) * 60 + int(seconds)


def _check_video(video: DemoVideo) -> list[str]:
    where = video.video_id
    problems: list[str] = []
    if video.discipline not in _DISCIPLINES:
        problems.append(f"{where}: unknown discipline {video.discipline!r}")
    if not 120 <= video.duration <= 240:
        problems.append(f"{where}: duration {video.duration} is outside 120–240 s")
    if not 6 <= len(video.scenes) <= 9:
        problems.append(f"{where}: {len(video.scenes)} scenes, expected 6–9")
    if not video.scenes or video.scenes[0][0] != 0.0:
        problems.append(f"{where}: the first scene must start at 0.0")
    bounds = [start for start, _ in video.scenes] + [video.duration]
    for (start, label), end in zip(video.scenes, bounds[1:], strict=True):
        if end - start < 12:
            problems.append(f"{where}: scene at {start} is shorter than 12 s or out of order")
        if not label.strip() or len(label) > 40:
            problems.append(f"{where}: scene label {label!r} is empty or longer than 40")
    if not 15 <= len(video.cues) <= 30:
        problems.append(f"{where}: {len(video.cues)} cues, expected 15–30")
    previous_end = 0.0
    for start, end, text in video.cues:
        if not 0 <= start <= end <= video.duration:
            problems.append(f"{where}: cue {start}–{end} is reversed or outside the video")
        if abs(start - previous_end) > 2.0:
            problems.append(f"{where}: cue at {start} leaves a gap or overlap after {previous_end}")
        if not text.strip():
            problems.append(f"{where}: cue at {start} has no text")
        previous_end = end
    if video.duration - previous_end > 2.0:
        problems.append(f"{where}: the cues stop at {previous_end} s, before the end")
    words = len(video.manuscript.split())
    if not 250 <= words <= 450:
        problems.append(f"{where}: manuscript has {words} words, expected 250–450")
    if not video.manuscript.startswith("# "):
        problems.append(f"{where}: manuscript must start with a title heading")
    problems.extend(
        f"{where}: manuscript lacks {section!r}"
        for section in _SECTIONS
        if section not in video.manuscript
    )
    return problems


def _check_times(text: str, duration: float, where: str) -> list[str]:
    problems: list[str] = []
    for match in _TIME.finditer(text):
        minutes, seconds = match.groups()
        if int(seconds) >= 60 or _seconds(minutes, seconds) > duration:
            problems.append(f"{where}: {match.group(0)} is not a time inside the video")
    for pattern in _RANGES:
        for match in pattern.finditer(text):
            m1, s1, m2, s2 = match.groups()
            if _seconds(m1, s1) > _seconds(m2, s2):
                problems.append(f"{where}: range {match.group(0)!r} runs backwards")
    for match in _COLON_TOKEN.finditer(text):
        if _TIME.fullmatch(match.group(0)):
            continue
        if not _RATIO_LEAD.search(text[: match.start()]):
            problems.append(f"{where}: {match.group(0)!r} could be read as a time")
    return problems


def _check_breakdown(entries: object, video: DemoVideo, where: str) -> list[str]:
    if not isinstance(entries, list) or not 1 <= len(entries) <= 4:
        return [f"{where}: timestamp_breakdown must be a list of 1–4 entries"]
    problems: list[str] = []
    starts = [start for start, _, _ in video.cues]
    ends = [end for _, end, _ in video.cues]
    for entry in entries:
        if not isinstance(entry, str):
            problems.append(f"{where}: breakdown entry {entry!r} is not text")
            continue
        match = _BREAKDOWN.match(entry)
        if match is None:
            problems.append(f"{where}: breakdown entry {entry!r} is not 'MM:SS[-MM:SS]: note'")
            continue
        m1, s1, m2, s2 = match.groups()
        begin = _seconds(m1, s1)
        finish = _seconds(m2, s2) if m2 is not None and s2 is not None else begin
        if begin > finish:
            problems.append(f"{where}: breakdown range in {entry!r} runs backwards")
        # Ground every entry in the narration: it must start and end on cue boundaries.
        if not any(abs(begin - start) <= 1 for start in starts):
            problems.append(f"{where}: breakdown {entry!r} does not start on a cue")
        if m2 is not None and not any(abs(finish - end) <= 1 for end in ends):
            problems.append(f"{where}: breakdown {entry!r} does not end on a cue")
        problems.extend(_check_times(entry, video.duration, where))
        note = _LEADING_TIME.sub("", entry)
        problems.extend(f"{where}: breakdown note cites a time" for _ in _TIME.finditer(note))
    return problems


def _check_question(item: dict[str, object], videos: dict[str, DemoVideo]) -> list[str]:
    where = f"{item.get('video_id')}/{item.get('question_id')}"
    if set(item) != _FIELDS:
        return [f"{where}: fields differ from the import format: {sorted(set(item) ^ _FIELDS)}"]
    video = videos.get(str(item["video_id"]))
    if video is None:
        return [f"{where}: unknown video"]
    problems: list[str] = []
    question, options, answer = item["question"], item["options"], item["answer"]
    if not isinstance(item["question_id"], str) or not item["question_id"]:
        problems.append(f"{where}: question_id must be a non-empty string")
    if not isinstance(question, str) or not question.strip():
        return [*problems, f"{where}: question text is empty"]
    if not isinstance(options, dict) or tuple(options) != _LETTERS:
        return [*problems, f"{where}: options must have exactly the letters A–J in order"]
    texts = [text for text in options.values() if isinstance(text, str) and text.strip()]
    if len(texts) != 10:
        problems.append(f"{where}: every option must be non-empty text")
    if len({" ".join(text.split()).casefold() for text in texts}) != len(texts):
        problems.append(f"{where}: two options have the same text")
    if answer not in options:
        problems.append(f"{where}: answer {answer!r} is not among the options")
    if item["question_type"] not in _TYPES:
        problems.append(f"{where}: question_type {item['question_type']!r} is not exact")
    if item["discipline"] != video.discipline or item["subject"] != video.subject:
        problems.append(f"{where}: discipline/subject differ from the video's")
    rationale = item["rationale"]
    if not isinstance(rationale, str) or not rationale.strip():
        problems.append(f"{where}: rationale is empty")
    if not _TIME.search(question):
        problems.append(f"{where}: the question cites no MM:SS time")
    problems.extend(_check_times(question, video.duration, where))
    for text in texts:
        problems.extend(_check_times(text, video.duration, f"{where} option"))
    problems.extend(_check_breakdown(item["timestamp_breakdown"], video, where))
    return problems


def validate() -> list[str]:
    """Check the demo data's invariants; returns the problems found (empty when all hold)."""
    problems: list[str] = []
    videos = {video.video_id: video for video in VIDEOS}
    if [video.video_id for video in VIDEOS] != [f"demo-{n}" for n in range(1, len(VIDEOS) + 1)]:
        problems.append("video ids must run demo-1, demo-2, … in order")
    for video in VIDEOS:
        problems.extend(_check_video(video))
    for item in QUESTIONS:
        problems.extend(_check_question(item, videos))

    per_video = Counter(str(item.get("video_id")) for item in QUESTIONS)
    problems.extend(
        f"{video_id}: {count} questions, expected 6–7"
        for video_id, count in per_video.items()
        if not 6 <= count <= 7
    )
    letters = Counter(str(item.get("answer")) for item in QUESTIONS)
    problems.extend(
        f"answer letter {letter} is used {count} times (at most 5)"
        for letter, count in letters.items()
        if count > 5
    )
    longest = 0
    for item in QUESTIONS:
        options = item.get("options")
        if isinstance(options, dict) and item.get("answer") in options:
            lengths = {letter: len(str(text)) for letter, text in options.items()}
            key = lengths[str(item["answer"])]
            if all(key > size for letter, size in lengths.items() if letter != item["answer"]):
                longest += 1
    if longest * 4 > len(QUESTIONS):
        problems.append(f"the key is the longest option in {longest} questions (at most 25%)")

    texts_by_pair: dict[tuple[str, str], list[str]] = {}
    for item in QUESTIONS:
        pair = (str(item.get("video_id")), str(item.get("question_id")))
        texts_by_pair.setdefault(pair, []).append(str(item.get("question")))
    shared = {pair: texts for pair, texts in texts_by_pair.items() if len(texts) > 1}
    if len(shared) != 1:
        problems.append(f"expected exactly one shared (video_id, question_id), got {len(shared)}")
    for pair, texts in shared.items():
        if len(texts) != 2 or len(set(texts)) != 2:
            problems.append(f"{pair}: the shared id must hold two different questions")
    return problems
